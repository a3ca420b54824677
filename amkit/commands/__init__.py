"""One Typer sub-app per noun. Thin: parse options, call the domain, hand rows to the renderer.
Modules here import only typer/click at top level; everything heavy is imported in bodies."""
