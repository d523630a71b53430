"""Command line: `python -m bot serve | check`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.config import SettingsError, load_settings
from bot.nlu.crisis_sets import CRISIS_SETS, DEFAULT_CRISIS_SETS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Champion chat bot")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web chat, API and workers")
    serve.add_argument("--host", help="address to listen on (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default PORT or 8000)")
    commands.add_parser("check", help="validate flows/, knowledge/ and nlu_data/")
    nlu = commands.add_parser("nlu", help="the intent classifier")
    nlu_commands = nlu.add_subparsers(dest="nlu_command", required=True)
    predict = nlu_commands.add_parser(
        "predict", help="one message per line on stdin; JSON lines out"
    )
    predict.add_argument(
        "--jsonl",
        action="store_true",
        help="read one JSON string per line (messages with line breaks)",
    )
    evaluate = nlu_commands.add_parser(
        "eval", help="accuracy and per-intent F1 on the test set; crisis recall and false alarms"
    )
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument(
        "--set",
        action="append",
        choices=list(CRISIS_SETS),
        help=f"crisis sets to report (default: {', '.join(DEFAULT_CRISIS_SETS)})",
    )
    answers = commands.add_parser("answers", help="the answer cards")
    answers_commands = answers.add_subparsers(dest="answers_command", required=True)
    answers_eval = answers_commands.add_parser(
        "eval", help="top-1, top-3 and key fact on the held-out questions (nlu_data/test)"
    )
    answers_eval.add_argument("--json", action="store_true", help="print the figures as JSON")
    answers_eval.add_argument("--misses", action="store_true", help="list every miss")
    answers_eval.add_argument("--file", type=Path, help="another question set (same format)")
    plan = commands.add_parser("plan", help="the draft-plan checker")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True)
    plan_eval = plan_commands.add_parser(
        "eval", help="precision and recall for vague provision; Section F found in whole plans"
    )
    plan_eval.add_argument("--json", action="store_true", help="print the figures as JSON")
    plan_eval.add_argument(
        "--sentences",
        "--file",
        type=Path,
        help="another sentence set (same format), e.g. nlu_data/dev/plan_sentences_dev.yml; "
        "whole plans are then read only if --plans is given",
    )
    plan_eval.add_argument("--plans", type=Path, help="another folder of whole plans")
    commands.add_parser(
        "vapid-keys", help="print a new VAPID key pair for Web Push (set it once, in every replica)"
    )
    create_user = commands.add_parser(
        "create-user", help="add a Parent Champion or admin (password from a prompt or stdin)"
    )
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--role", required=True, choices=["champion", "admin"])
    create_user.add_argument(
        "--area", nargs="*", default=[], metavar="LA", help="local authorities they cover"
    )
    create_user.add_argument("--name", default="", help="first name parents may see")
    content = commands.add_parser(
        "content", help="published flows and knowledge, to and from files"
    )
    content_commands = content.add_subparsers(dest="content_command", required=True)
    for name, meaning in (
        ("export", "write the published content to DIR"),
        ("import", "publish DIR"),
    ):
        sub = content_commands.add_parser(name, help=meaning)
        sub.add_argument("directory", metavar="DIR", type=Path)
    args = parser.parse_args(argv)
    if args.command == "vapid-keys":  # needs no settings: it makes two of them
        from bot.notify.push_keys import print_new_pair

        return print_new_pair()

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"champion: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "check":
        from bot.check import run_check

        return run_check(settings)
    if args.command == "nlu":
        from bot.nlu import cli

        if args.nlu_command == "predict":
            return cli.predict(settings, jsonl=args.jsonl)
        sets = tuple(args.set) if args.set else DEFAULT_CRISIS_SETS
        return cli.run_eval(settings, as_json=args.json, crisis_sets=sets)
    if args.command == "answers":
        from bot.answers_eval import run_answers_eval

        return run_answers_eval(
            settings, as_json=args.json, show_misses=args.misses, path=args.file
        )
    if args.command == "plan":
        from bot.plan import evaluate as plan_evaluate

        return plan_evaluate.run(
            args.json,
            args.sentences or plan_evaluate.TEST_SENTENCES,
            # Tuning on a dev file must not read the held-out plans on the side.
            args.plans or (plan_evaluate.NO_PLANS if args.sentences else plan_evaluate.TEST_PLANS),
        )
    if args.command == "content":
        from bot.content.cli import export_content, import_content

        if args.content_command == "export":
            return export_content(settings, args.directory)
        return import_content(settings, args.directory)
    if args.command == "create-user":
        from bot.staff.cli import create_user_command

        return create_user_command(settings, args.email, args.role, args.area, args.name)
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    return 2


def configure_logging(level: str, style: str) -> None:
    handler = logging.StreamHandler()
    if style == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # Alembic announces every plugin at INFO; only its warnings matter to operators.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # HTTP client logs carry URLs, and Telegram's URLs carry the bot token.
    # urllib3 (under pywebpush) logs each request's path: a push endpoint's is its secret.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _serve(settings, host: str | None, port: int | None) -> int:  # type: ignore[no-untyped-def]
    import uvicorn

    from bot.web.app import create_app

    if host:
        # --host decides where we listen, and so whether cookies default to Secure.
        settings = settings.model_copy(update={"host": host})
    uvicorn.run(
        create_app(settings, settle_after_start=True),
        host=settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn's own lines go through our handler (text or JSON)
        # Access logs would record session ids in URLs; the app logs what it needs.
        access_log=False,
        # X-Forwarded-For/-Proto are read by bot/web/client.py, and only from
        # TRUSTED_PROXIES; uvicorn's own handling would believe any local client.
        proxy_headers=False,
        # An idle keep-alive connection is closed after this many seconds. uvicorn has
        # no timeout for a request's headers or body, nor (with httptools) a header
        # size limit: production needs a proxy in front (deploy/nginx.conf, README).
        timeout_keep_alive=5,
        # Past this many open connections and tasks, new requests get 503 rather
        # than exhausting memory or file descriptors. Live console pages hold one each.
        limit_concurrency=1000,
        # Live pages hold connections open; don't let them hold up a restart.
        timeout_graceful_shutdown=3,
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        sys.exit(0)
