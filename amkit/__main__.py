from amkit.cli import main

main()
