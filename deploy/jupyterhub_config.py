# JupyterHub for a class using activation-kit, on one server.
#
#   jupyterhub -f deploy/jupyterhub_config.py
#
# Site settings come from KIT_HUB_* environment variables (deploy/hub.env.example lists them;
# the systemd unit reads them from /etc/activation-kit/hub.env), so this file stays as it is in
# the repository. What it sets up (deploy/README.md explains each choice):
#   - the hub and its proxy listen on 127.0.0.1 only, behind the operator's TLS proxy;
#   - every user gets their own copy of the lessons on first start, later updates never
#     overwrite their work (kit-hub start, before the server);
#   - JupyterLab by default; per-user config disabled;
#   - per-user memory/CPU/process limits (enforced as far as the spawner can: see README);
#   - idle servers stopped by jupyterhub-idle-culler, a hub-managed service with only the
#     scopes it needs.
# tests/deploy/test_hub.py runs this file unchanged, with KIT_HUB_SPAWNER=simple and
# KIT_HUB_AUTH=shared-password.

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file


def setting(name, default, parse=str):
    """A KIT_HUB_<name> setting from the environment, parsed; a clear error if it does not parse."""
    raw = os.environ.get(f"KIT_HUB_{name}")
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw.strip())
    except ValueError as exc:
        raise SystemExit(f"jupyterhub_config.py: KIT_HUB_{name}={raw!r}: {exc}") from None


def names(raw):
    return {n.strip() for n in raw.split(",") if n.strip()}


def port(raw):
    value = int(raw)
    if not 0 < value < 65536:
        raise ValueError("not a TCP port")
    return value


def non_negative(parse):
    def check(raw):
        value = parse(raw)
        if not value >= 0:
            raise ValueError("must be >= 0")
        return value
    return check


def choice(*options):
    def check(raw):
        if raw not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return raw
    return check


here = Path(__file__).resolve().parent
state = Path(setting("STATE_DIR", "/var/lib/activation-kit-hub"))
state.mkdir(parents=True, exist_ok=True, mode=0o700)

# -- network: everything on 127.0.0.1; the operator's proxy (nginx, caddy) terminates TLS ----------
c.JupyterHub.bind_url = f"http://127.0.0.1:{setting('PORT', 8000, port)}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{setting('API_PORT', 8081, port)}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('PROXY_API_PORT', 8001, port)}"
public_url = setting("PUBLIC_URL", "")
if public_url:
    c.JupyterHub.public_url = public_url
local_proxy = here / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [setting("PROXY", str(local_proxy) if local_proxy.exists()
                                           else "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
# The proxy's token: CONFIGPROXY_AUTH_TOKEN if set (needed only for a proxy the hub does not
# start), else a new random one at each start.

# -- state and secrets: one folder, readable by root only --------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")  # created 0600 if missing

# -- who logs in -------------------------------------------------------------------------------------
auth = setting("AUTH", "pam", choice("pam", "shared-password"))
admins = setting("ADMINS", set(), names)
c.Authenticator.admin_users = admins
users = setting("USERS", set(), names)
group = setting("GROUP", "", str)
if auth == "pam":
    # Unix accounts; members of KIT_HUB_GROUP (or the users listed in KIT_HUB_USERS) may log in.
    c.JupyterHub.authenticator_class = "pam"
    if group:
        c.PAMAuthenticator.allowed_groups = {group}
    c.Authenticator.allowed_users = users
else:
    # One password for everyone (a workshop, a test): anyone who has it can log in as any user
    # listed in KIT_HUB_USERS. Never with Unix users' real homes.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ.get("KIT_HUB_SHARED_PASSWORD") or None
    c.Authenticator.allowed_users = users
    c.Authenticator.allow_all = False

# -- the users' servers ------------------------------------------------------------------------------
spawner = setting("SPAWNER", "local", choice("local", "systemd", "simple"))
c.JupyterHub.spawner_class = {
    "local": "kit_hub.spawner.KitLocalSpawner",           # Unix users; rlimits, no CPU limit
    "systemd": "kit_hub.systemd.KitSystemdSpawner",       # Unix users; cgroup memory + CPU limits
    "simple": "kit_hub.spawner.KitSimpleLocalSpawner",    # no Unix users: tests and try-outs only
}[spawner]
c.KitSpawner.lessons_source = setting("LESSONS", "/srv/activation-kit/lessons")
c.KitSpawner.lessons_dir = "lessons"
c.KitSpawner.lessons_updates_dir = "lessons-updated"
c.KitSpawner.pass_env.extend(sorted(setting("PASS_ENV", set(), names)))  # hub variables the servers get
c.KitSpawner.max_processes = setting("MAX_PROCESSES", 0 if spawner == "simple" else 512, non_negative(int))
if spawner == "simple":
    c.SimpleLocalProcessSpawner.home_dir_template = setting("HOMES", str(state / "homes" / "{username}"))
    if os.geteuid() == 0:
        c.Spawner.args = ["--allow-root"]

c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.disable_user_config = True        # ~/.jupyter cannot change the server's settings
mem_limit = setting("MEM_LIMIT", "2G")
c.Spawner.mem_limit = mem_limit if mem_limit != "0" else None
cpu_limit = setting("CPU_LIMIT", 1.0, non_negative(float))
c.Spawner.cpu_limit = cpu_limit or None
c.Spawner.start_timeout = setting("START_TIMEOUT", 120, non_negative(int))  # a spawn storm at 9:00
c.Spawner.http_timeout = setting("START_TIMEOUT", 120, non_negative(int))
activity = setting("ACTIVITY_INTERVAL", 300, non_negative(int))
c.JupyterHub.last_activity_interval = activity
c.Spawner.environment = {"JUPYTERHUB_ACTIVITY_INTERVAL": str(activity)}
c.JupyterHub.active_server_limit = setting("MAX_SERVERS", 0, non_negative(int))
c.JupyterHub.concurrent_spawn_limit = setting("CONCURRENT_SPAWNS", 20, non_negative(int))

# -- idle servers are stopped (their files stay) -----------------------------------------------------
cull_timeout = setting("CULL_TIMEOUT", 3600, non_negative(int))
if cull_timeout:
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={cull_timeout}",
                    f"--cull-every={setting('CULL_EVERY', 600, non_negative(int)) or cull_timeout // 2}",
                    f"--max-age={setting('CULL_MAX_AGE', 0, non_negative(int))}"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }]
