"""What `scripts/start` runs: `manage.py up` in production mode, set up for one machine.

    python -m webapp.quickstart                  # production mode on http://127.0.0.1:8000
    python -m webapp.quickstart --debug          # Django's debug pages (or DEBUG=1)
    python -m webapp.quickstart --host 0.0.0.0   # any other option goes to `manage.py up`

Real users run the Quickstart, so it must not show Django's debug pages (a bad URL would
list every URL pattern). It sets, unless the environment already does:
1. DEBUG=0, or 1 with --debug;
2. SECRET_KEY: generated once into $LABELTUNE_DATA_DIR/secret_key (default var/), readable
   by this user only, and read from there on every later start;
3. plain HTTP on this machine: no HTTPS redirect, no HSTS, cookies not limited to HTTPS
   (a proxy that adds TLS sets these back on);
4. ALLOWED_HOSTS: this machine's names, and the --host address when it names one.
"""

import os
import secrets
import socket
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
KEY_FILE = "secret_key"
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ANY_ADDRESS = ("0.0.0.0", "::")


def secret_key(data_dir: Path) -> str:
    """The key kept in `data_dir`, made on the first start (a new key would sign everyone out)."""
    path = data_dir / KEY_FILE
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def host_names(args: list[str], environ: dict) -> list[str]:
    host = environ.get("HOST", "127.0.0.1")
    for i, arg in enumerate(args):
        if arg == "--host" and i + 1 < len(args):
            host = args[i + 1]
        elif arg.startswith("--host="):
            host = arg.split("=", 1)[1]
    names = list(LOCAL_HOSTS)
    if host in ANY_ADDRESS:  # reachable from other machines by this machine's name
        names += [socket.gethostname(), socket.getfqdn()]
    elif host not in names:
        names.append(host)
    return list(dict.fromkeys(names))


def environment(args: list[str], environ: dict) -> tuple[dict, list[str]]:
    """(the environment for `manage.py up`, its arguments without --debug)."""
    env = dict(environ)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    env.setdefault("DEBUG", "1" if debug else "0")
    if debug:
        env["DEBUG"] = "1"
    data_dir = Path(env.get("LABELTUNE_DATA_DIR") or BASE_DIR / "var").resolve()
    if env["DEBUG"] not in ("1", "true", "yes", "on") and not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = secret_key(data_dir)
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    env.setdefault("SECURE_HSTS_SECONDS", "0")
    env.setdefault("SECURE_COOKIES", "0")
    env.setdefault("ALLOWED_HOSTS", ",".join(host_names(args, env)))
    return env, args


def main() -> None:
    env, args = environment(sys.argv[1:], dict(os.environ))
    mode = "debug mode" if env["DEBUG"] in ("1", "true", "yes", "on") else "production mode"
    print(f"Starting LabelTune in {mode}.", flush=True)
    manage = str(BASE_DIR / "manage.py")
    os.execve(sys.executable, [sys.executable, manage, "up", *args], env)


if __name__ == "__main__":
    main()
