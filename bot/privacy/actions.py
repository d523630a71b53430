"""Flow actions for flows/privacy.yml: "my data" as a file, and erasing after a yes."""

from __future__ import annotations

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.core.types import Document

MY_DATA_KEY = "mydata:json"
MY_DATA_PAGE_KEY = "mydata:html"
MY_DATA_PAGE = "my-champion-data.html"


def export_my_data(_context: ActionContext) -> ActionResult:
    return ActionResult(document=Document("my-champion-data.json", "application/json", MY_DATA_KEY))


def export_my_data_page(_context: ActionContext) -> ActionResult:
    """The same as a page to read or print (bot/privacy/readable.py)."""
    return ActionResult(document=Document(MY_DATA_PAGE, "text/html", MY_DATA_PAGE_KEY))


def erase_my_data(context: ActionContext) -> ActionResult:
    if context.variables.get("confirm_delete") != "yes":
        return ActionResult(variables={"deleted": "no"})
    return ActionResult(variables={"deleted": "yes"}, erase=True)


def register(registry: ActionRegistry) -> None:
    registry.register("export_my_data")(export_my_data)
    registry.register("export_my_data_page")(export_my_data_page)
    registry.register("erase_my_data")(erase_my_data)
