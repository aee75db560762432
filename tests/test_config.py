"""`casey config`: a TOML file of defaults, and flag > environment > config file > default
in every command that uses them."""

from __future__ import annotations

import getpass
import json
import os
import re
import stat
import tomllib
from pathlib import Path

import pytest


@pytest.fixture
def config_file(isolated: Path) -> Path:
    """Where the tests' XDG_CONFIG_HOME puts the config file (conftest sets it per test)."""
    return Path(os.environ["XDG_CONFIG_HOME"]) / "casey-cli" / "config.toml"


@pytest.fixture
def no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """conftest sets CASEY_USER, which beats the config file: precedence tests drop it."""
    monkeypatch.delenv("CASEY_USER", raising=False)


def origins(casey) -> dict[str, dict[str, object]]:
    rows = casey.json("config", "show", "--origin")
    return {r["setting"]: r for r in rows}


def test_set_get_show_and_the_file_written(casey, config_file, no_user_env):
    casey("config", "set", "borough", "Islington")
    casey("config", "set", "user", "J. Clerk")
    casey("config", "set", "window", "21")
    casey("config", "set", "stale_days", "60")
    assert tomllib.loads(config_file.read_text()) == {
        "borough": "islington",
        "user": "J. Clerk",
        "window": 21,
        "stale_days": 60,
    }
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_file.parent.stat().st_mode) == 0o700
    assert casey("config", "get", "window").stdout == "21\n"
    assert casey("config", "get", "user").stdout == "J. Clerk\n"
    shown = casey.json("config", "show")
    assert [r["setting"] for r in shown] == [
        "borough",
        "user",
        "window",
        "stale_days",
        "db",
        *("smtp_host", "smtp_port", "smtp_starttls", "smtp_user", "smtp_from"),
        "publish.hide",
    ]
    assert {r["setting"]: r["value"] for r in shown}["borough"] == "islington"
    assert set(shown[0]) == {"setting", "value"}  # origins only with --origin


def test_show_origin_names_flag_env_file_and_default(
    casey, config_file, isolated, monkeypatch, no_user_env
):
    casey("config", "set", "window", "21")
    monkeypatch.setenv("CASEY_STALE_DAYS", "45")
    shown = origins(casey)
    assert shown["window"] == {
        "setting": "window",
        "value": 21,
        "origin": "config",
        "from": str(config_file),
    }
    assert shown["stale_days"] == {
        "setting": "stale_days",
        "value": 45,
        "origin": "env",
        "from": "CASEY_STALE_DAYS",
    }
    assert shown["borough"]["origin"] == "default" and shown["borough"]["value"] is None
    assert shown["user"] == {
        "setting": "user",
        "value": getpass.getuser(),
        "origin": "default",
        "from": None,
    }
    secret = re.compile(r":[^:@/]+@")  # a server URL's password is shown as ***
    assert shown["db"]["origin"] == "env"
    assert shown["db"]["value"] == secret.sub(":***@", str(isolated))
    flagged = {
        r["setting"]: r for r in casey.json("--db", str(isolated), "config", "show", "--origin")
    }
    assert flagged["db"]["origin"] == "flag" and flagged["db"]["from"] == "--db"
    result = casey("config", "get", "window", "--origin")
    assert result.stdout == "21\n" and result.stderr.strip() == f"from config file {config_file}"


def test_window_precedence_in_status(casey, monkeypatch):
    assert casey.json("status")["window_days"] == 14
    casey("config", "set", "window", "21")
    assert casey.json("status")["window_days"] == 21
    monkeypatch.setenv("CASEY_WINDOW", "30")
    assert casey.json("status")["window_days"] == 30
    assert casey.json("status", "--days", "5")["window_days"] == 5
    monkeypatch.delenv("CASEY_WINDOW")
    casey("config", "unset", "window")
    assert casey.json("status")["window_days"] == 14


def test_window_from_config_changes_what_is_due_soon(casey, add_action):
    add_action("--owner", "X", "--due", "+20d")  # due in 20 days: outside the default 14
    ref = add_action("--owner", "X", "--due", "+20d", title="Second")["ref"]
    before = casey.json("status", "--borough", "islington")
    casey("config", "set", "window", "21")
    after = casey.json("status", "--borough", "islington")
    assert ref not in [i["ref"] for i in before["due_soon"]]
    assert ref in [i["ref"] for i in after["due_soon"]]
    assert after["summary"]["due_soon"] == before["summary"]["due_soon"] + 2


def test_default_borough_applies_to_status_list_export_and_report(casey, monkeypatch):
    explicit = {
        "status": casey("status", "--borough", "islington", "--format", "json").stdout,
        "list": casey("action", "list", "--borough", "islington", "--format", "json").stdout,
        "export": casey("export", "--borough", "islington", "--format", "json").stdout,
        "report": casey("report", "--borough", "islington").stdout,
        "trend": casey("trend", "--borough", "islington", "--format", "json").stdout,
        "chase": casey("chase", "--borough", "islington", "--format", "json").stdout,
    }
    everywhere = casey("export", "--format", "json").stdout
    casey("config", "set", "borough", "islington")
    assert casey("status", "--format", "json").stdout == explicit["status"]
    assert casey("action", "list", "--format", "json").stdout == explicit["list"]
    assert casey("export", "--format", "json").stdout == explicit["export"]
    assert casey("report").stdout == explicit["report"]
    assert casey("trend", "--format", "json").stdout == explicit["trend"]
    assert casey("chase", "--format", "json").stdout == explicit["chase"]
    assert json.loads(explicit["status"])["borough"] == "islington"
    # --borough all: every borough, whatever is configured
    assert casey("export", "--borough", "all", "--format", "json").stdout == everywhere
    assert casey.json("status", "--borough", "all")["borough"] is None
    # the environment beats the file, a flag beats both
    monkeypatch.setenv("CASEY_BOROUGH", "camden")
    assert casey.json("status")["borough"] == "camden"
    assert casey.json("status", "--borough", "hackney")["borough"] == "hackney"


def test_user_precedence_in_the_audit_trail(casey, add_action, monkeypatch, no_user_env):
    def last_by() -> str:
        return str(casey.json("history")[-1]["by"])

    add_action(title="Nobody configured")
    assert last_by() == getpass.getuser()
    casey("config", "set", "user", "J. Clerk")
    add_action(title="From the file")
    assert last_by() == "J. Clerk"
    monkeypatch.setenv("CASEY_USER", "Env Clerk")
    casey("action", "update", "A32", "--note", "env wins")
    assert last_by() == "Env Clerk"
    casey("action", "update", "A32", "--note", "flag wins", "--by", "Flag Clerk")
    assert last_by() == "Flag Clerk"


def test_stale_days_from_config_in_report(casey):
    default = casey("--today", "2027-06-01", "report", "-b", "islington").stdout
    flagged = casey(
        "--today", "2027-06-01", "report", "-b", "islington", "--stale-days", "365"
    ).stdout
    assert flagged != default and "over 365 days" in flagged
    casey("config", "set", "stale_days", "365")
    assert casey("--today", "2027-06-01", "report", "-b", "islington").stdout == flagged
    assert (
        casey("--today", "2027-06-01", "report", "-b", "islington", "--stale-days", "90").stdout
        == default
    )


def test_db_from_config(casey, tmp_path, monkeypatch, config_file):
    """The config file names the store; only `casey init` creates it there (issue 15: a
    mistyped path would otherwise be a new, seeded register)."""
    store = tmp_path / "team" / "register.db"
    store.parent.mkdir()
    casey("config", "set", "db", str(store))
    monkeypatch.delenv("CASEY_DB")
    assert casey.error("status", "--format", "json") == (
        f"Error: no casey store at {store} (from db in {config_file}); create it with "
        "`casey init`, or change it with `casey config set db PATH`"
    )
    assert not store.exists()
    result = casey("init")
    assert f"Created a new casey store at {store}" in result.stderr
    assert casey.json("status")["summary"]["total"] > 0
    assert origins(casey)["db"]["origin"] == "config"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["windw", "3"], "unknown setting 'windw' (did you mean 'window'?)"),
        (["window", "many"], "'many' is not a whole number; give one from 0 to 3650"),
        (["window", "4000"], "4000 is out of range; give a number from 0 to 3650"),
        (["stale_days", "0"], "0 is out of range; give a number from 1 to 36500"),
        (["borough", "Isl ington!"], "'Isl ington!' is not a borough slug"),
        (["borough", "islingtn"], "unknown borough 'islingtn' (did you mean 'islington'?)"),
        (["borough", "all"], "to have none, use `casey config unset borough`"),
        (["user", "  "], "is not a usable name"),
        (["db", "relative/casey.db"], "is a relative path; give an absolute path"),
    ],
)
def test_set_refuses_bad_values_and_writes_nothing(casey, config_file, args, message):
    err = casey.error("config", "set", *args)
    assert message in err
    assert not config_file.exists()


def test_set_keeps_other_keys_and_a_bad_set_leaves_the_file_alone(casey, config_file):
    casey("config", "set", "borough", "camden")
    before = config_file.read_bytes()
    casey.error("config", "set", "window", "5000")
    assert config_file.read_bytes() == before
    casey("config", "set", "window", "7")
    assert tomllib.loads(config_file.read_text()) == {"borough": "camden", "window": 7}


def test_set_tightens_permissions_of_an_existing_file(casey, config_file):
    config_file.parent.mkdir(parents=True)
    config_file.write_text('borough = "camden"\n')
    config_file.chmod(0o644)
    casey("config", "set", "window", "7")
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


def test_set_says_when_the_environment_wins(casey):
    result = casey("config", "set", "user", "J. Clerk")  # conftest sets CASEY_USER
    assert "CASEY_USER is set in your environment and wins over the config file" in (result.stderr)


def test_unset_and_get_of_a_missing_value(casey, config_file):
    casey("config", "set", "borough", "camden")
    casey("config", "unset", "borough")
    assert "borough" not in tomllib.loads(config_file.read_text())
    err = casey.error("config", "get", "borough")
    assert err == "Error: borough is not set; set it with `casey config set borough VALUE`"
    again = casey("config", "unset", "borough")
    assert "borough is not set in" in again.stderr and "nothing changed" in again.stderr
    assert "did you mean 'borough'" in casey.error("config", "unset", "borogh")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('borough = "islington"\nwindow = 21\nwindow: 3\n', 3, "not valid TOML"),
        ('borough = "islington"\nwindow = 21\nwindow = 22\n', 3, "not valid TOML"),
        (
            "window = 21\n\nwindo = 3\n",
            3,
            "unknown setting 'windo' (did you mean 'window'?); remove it with `casey config unset",
        ),
        ('user = "x"\nwindow = "soon"\n', 2, "window: 'soon' is not a whole number"),
        ("borough = 7\n", 1, "borough: must be a borough slug in quotes"),
        ("stale_days = true\n", 1, "stale_days: must be a whole number from 1 to 36500"),
    ],
)
def test_a_malformed_file_is_one_line_naming_file_and_line(
    casey, config_file, isolated, text, line, message
):
    from conftest import snapshot

    config_file.parent.mkdir(parents=True)
    config_file.write_text(text)
    before = snapshot(isolated)
    for command in (["status"], ["action", "add", "-b", "camden", "-t", "x"], ["config", "show"]):
        err = casey.error(*command)
        assert err.startswith(f"Error: {config_file}:{line}: "), err
        assert message in err
    assert snapshot(isolated) == before


def test_a_typo_in_the_file_is_repaired_with_unset(casey, config_file):
    config_file.parent.mkdir(parents=True)
    config_file.write_text('borough = "camden"\ncolour = "red"\n')
    casey.error("status")
    casey("config", "unset", "colour")
    assert casey.json("status")["borough"] == "camden"


def test_a_bad_environment_value_is_named(casey, monkeypatch):
    monkeypatch.setenv("CASEY_WINDOW", "soon")
    err = casey.error("status")
    assert err == ("Error: CASEY_WINDOW: 'soon' is not a whole number; give one from 0 to 3650")


@pytest.mark.sqlite_only(reason="the light read path is the stdlib driver on a SQLite file")
def test_reading_config_keeps_status_light(isolated, config_file):
    """The config file is read with tomllib, never the heavy stack."""
    from test_performance_guards import loaded

    config_file.parent.mkdir(parents=True)
    config_file.write_text('borough = "islington"\nwindow = 21\nstale_days = 30\n')
    assert loaded(["status"], dict(os.environ)) == ""


@pytest.mark.sqlite_only(reason="a relative path names a SQLite file")
def test_a_relative_casey_db_is_a_file_where_the_command_runs(casey, tmp_path, monkeypatch):
    """The contract: --db or CASEY_DB is a file path, relative ones included; only the config file,
    read from any folder, insists on an absolute one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEY_DB", "here.db")
    assert casey.error("status") == (
        f"Error: no casey store at {tmp_path / 'here.db'} (from CASEY_DB); create it with "
        "`casey init`, or correct CASEY_DB"
    )
    casey("init")
    assert casey.json("status", "--borough", "islington")["borough"] == "islington"
    assert (tmp_path / "here.db").is_file()
    assert origins(casey)["db"]["value"] == "here.db"


def test_all_in_the_file_means_every_borough(casey, config_file):
    config_file.parent.mkdir(parents=True)
    config_file.write_text('borough = "all"\n')
    assert casey.json("status")["borough"] is None


def test_a_password_in_a_db_url_is_never_printed(casey, config_file, monkeypatch):
    secret = "s3cret-Pa55"
    url = f"postgresql+psycopg://clerk:{secret}@127.0.0.1:1/casey"
    result = casey("config", "set", "db", url)
    outputs = [result.stdout + result.stderr]
    assert secret in config_file.read_text()  # kept as given, shown masked
    monkeypatch.delenv("CASEY_DB")  # the file's value is the one in use
    for args in (
        ["config", "get", "db", "--origin"],
        ["config", "show", "--origin"],
        ["config", "show", "--format", "json"],
    ):
        result = casey(*args)
        outputs.append(result.stdout + result.stderr)
    monkeypatch.setenv("CASEY_DB", url)
    outputs.append(casey("config", "show", "--origin", "--format", "json").stdout)
    assert all(secret not in text and "***" in text for text in outputs), outputs
    assert (
        casey("config", "get", "db").stdout == "postgresql+psycopg://clerk:***@127.0.0.1:1/casey\n"
    )
    assert origins(casey)["db"]["value"] == "postgresql+psycopg://clerk:***@127.0.0.1:1/casey"


def test_get_says_where_all_boroughs_comes_from(casey, monkeypatch):
    monkeypatch.setenv("CASEY_BOROUGH", "all")
    err = casey.error("config", "get", "borough")
    assert err == (
        "Error: borough is 'all' (every borough), set by env CASEY_BOROUGH; give "
        "--borough SLUG for one"
    ), err


def test_a_name_given_with_by_is_checked_as_the_variable_is(casey, monkeypatch):
    """History can never be edited: a terminal escape in --by is refused before it is written,
    as it is in CASEY_USER, and shown escaped, not run by the terminal."""
    before = casey("history", "--format", "json").stdout
    for source in ("flag", "env"):
        args = ["action", "update", "A1", "--progress", "5"]
        if source == "flag":
            args += ["--by", "evil\x1b[31mred"]
        else:
            monkeypatch.setenv("CASEY_USER", "evil\x1b[31mred")
        err = casey.error(*args)
        assert "'evil\\x1b[31mred' is not a usable name" in err, err
        assert "\x1b" not in err
    assert casey("history", "--format", "json").stdout == before


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # SQLAlchemy connects with these passwords as written; none may show.
        (
            "postgresql+psycopg://u:se/cr:et@127.0.0.1:1/db",
            "postgresql+psycopg://u:***@127.0.0.1:1/db",
        ),
        (
            "postgresql+psycopg://u@x:pw@127.0.0.1:1/db",
            "postgresql+psycopg://u@x:***@127.0.0.1:1/db",
        ),
        ("postgresql+psycopg://clerk@127.0.0.1:1/db", "postgresql+psycopg://clerk@127.0.0.1:1/db"),
    ],
)
def test_odd_passwords_are_masked_too(casey, monkeypatch, url, shown):
    monkeypatch.setenv("CASEY_DB", url)
    assert casey("config", "get", "db").stdout == shown + "\n"


@pytest.mark.sqlite_only(reason="upgrades the SQLite file fixture made by schema 0001")
def test_setting_a_borough_never_upgrades_or_creates_a_store(casey, tmp_path, monkeypatch):
    import shutil

    old = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "store-0001.db", old)
    from conftest import snapshot

    monkeypatch.setenv("CASEY_DB", str(old))
    before = snapshot(old)
    result = casey("config", "set", "borough", "islington")
    assert "Upgraded" not in result.stderr
    assert snapshot(old) == before  # still schema 0001, and no backup made for an upgrade
    assert sorted(p.name for p in tmp_path.iterdir() if "before-" in p.name) == []
    assert casey.error("config", "set", "borough", "islingtn").startswith(
        "Error: unknown borough 'islingtn' (did you mean 'islington'?)"
    )
    monkeypatch.setenv("CASEY_DB", str(tmp_path / "none.db"))
    casey("config", "set", "borough", "camden")  # no store: the slug's shape only
    assert not (tmp_path / "none.db").exists()
