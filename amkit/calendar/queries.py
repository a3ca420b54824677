"""Reads of the loaded calendar days (raw DB-API, no SQLAlchemy), and the work calendar built
from them: every command that counts working days gets its calendar here, so a notice
loaded once (by anyone, from any HOME) is what every plan, progress and review uses."""

from __future__ import annotations

from amkit import config
from amkit.calendar.calc import festival_name
from amkit.core.workcal import DEFAULT_CALENDAR, LoadedDay, WorkCalendar, normalise_code
from amkit.store.raw import Reader, day


def configured_code(code: str | None = None) -> str:
    """``--calendar`` or the config value ``calendar`` (default CN), normalised."""
    return normalise_code(code or str(config.merged().get("calendar") or DEFAULT_CALENDAR))


def loaded_days(r: Reader, code: str, lang: str | None = None) -> list[LoadedDay]:
    """The days loaded for calendar ``code``, by date; names in ``lang`` when given."""
    rows = r.rows("SELECT day, kind, name, source, notice_year FROM calendar_days WHERE code = :code "
                  "ORDER BY day, source", code=code)
    return [LoadedDay(day(d), kind, festival_name(name, lang) if lang else name, source, year)
            for d, kind, name, source, year in rows]


def work_calendar(r: Reader, code: str | None = None, lang: str | None = None) -> WorkCalendar:
    """The work calendar ``code`` (default: config) with the loaded days; holiday names in
    ``lang`` (zh or en) when given."""
    code = configured_code(code)
    language = "zh_CN" if lang == "zh" else None
    return WorkCalendar(code, language=language, loaded=loaded_days(r, code, lang))
