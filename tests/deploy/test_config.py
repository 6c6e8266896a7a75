"""deploy/jupyterhub_config.py read without starting a hub, and the Helm values kept to the same settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
VALUES = ROOT / "deploy" / "k8s" / "values.yaml"


def load(tmp_path: Path, **settings: str):
    """The config object the file builds, with these KIT_HUB_* settings (and no others)."""
    from traitlets.config import Config

    saved = {k: v for k, v in os.environ.items() if k.startswith("KIT_HUB_")}
    for k in saved:
        del os.environ[k]
    os.environ.update({f"KIT_HUB_{k}": v for k, v in {"STATE_DIR": str(tmp_path / "state"), **settings}.items()})
    try:
        c = Config()
        code = compile(CONFIG.read_text(), str(CONFIG), "exec")
        exec(code, {"get_config": lambda: c, "__file__": str(CONFIG), "__name__": "jupyterhub_config"})
        return c
    finally:
        for k in [k for k in os.environ if k.startswith("KIT_HUB_")]:
            del os.environ[k]
        os.environ.update(saved)


def test_defaults_are_a_locked_down_server_on_127_0_0_1(tmp_path, kit_hub_installed):
    c = load(tmp_path)
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.JupyterHub.hub_bind_url == "http://127.0.0.1:8081"
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:8001"
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.JupyterHub.spawner_class == "kit_hub.spawner.KitLocalSpawner"
    assert c.Spawner.default_url == "/lab" and c.Spawner.disable_user_config is True
    assert (c.Spawner.mem_limit, c.Spawner.cpu_limit) == ("2G", 1.0)
    assert c.KitSpawner.max_processes == 512
    assert c.JupyterHub.cookie_secret_file == str(tmp_path / "state" / "jupyterhub_cookie_secret")
    assert oct((tmp_path / "state").stat().st_mode & 0o777) == "0o700"
    [culler] = c.JupyterHub.services
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=600",
                                     "--max-age=0"]
    [role] = c.JupyterHub.load_roles
    assert role["services"] == ["idle-culler"]
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers", "delete:servers"}


def test_settings_choose_the_spawner_the_login_and_the_limits(tmp_path, kit_hub_installed):
    c = load(tmp_path, SPAWNER="systemd", MEM_LIMIT="0", CPU_LIMIT="0", CULL_TIMEOUT="0", ADMINS="t1, t2",
             GROUP="students", PORT="9000")
    assert c.JupyterHub.spawner_class == "kit_hub.systemd.KitSystemdSpawner"
    assert c.Spawner.mem_limit is None and c.Spawner.cpu_limit is None
    assert "services" not in c.JupyterHub                    # no culler
    assert c.Authenticator.admin_users == {"t1", "t2"}
    assert c.PAMAuthenticator.allowed_groups == {"students"}
    assert c.JupyterHub.bind_url == "http://127.0.0.1:9000"
    c = load(tmp_path, AUTH="shared-password", SHARED_PASSWORD="a long password", USERS="a,b", SPAWNER="simple")
    assert c.JupyterHub.authenticator_class == "shared-password"
    assert c.Authenticator.allowed_users == {"a", "b"} and c.Authenticator.allow_all is False
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(tmp_path / "state" / "homes" / "{username}")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORT", "70000", "not a TCP port"), ("CPU_LIMIT", "-1", "must be >= 0"), ("CPU_LIMIT", "lots", "could not"),
    ("SPAWNER", "docker", "must be one of local, systemd, simple"), ("CULL_TIMEOUT", "1.5", "invalid literal"),
])
def test_a_bad_setting_stops_the_hub_with_a_one_line_reason(tmp_path, kit_hub_installed, name, value, message):
    with pytest.raises(SystemExit) as exc:
        load(tmp_path, **{name: value})
    text = str(exc.value)
    assert text.startswith(f"jupyterhub_config.py: KIT_HUB_{name}={value!r}: ") and message in text
    assert "\n" not in text


def test_jupyterhub_itself_loads_the_file(tmp_path, kit_hub_installed):
    """`jupyterhub --show-config` parses the file as the hub will (no server started)."""
    pytest.importorskip("jupyterhub")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIT_HUB_")}
    env["KIT_HUB_STATE_DIR"] = str(tmp_path / "state")
    done = subprocess.run([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG), "--show-config"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "KitLocalSpawner" in done.stdout and "127.0.0.1:8000" in done.stdout


def test_every_setting_the_file_reads_is_documented_in_hub_env_example():
    import re

    read = set(re.findall(r"""setting\(\s*["']([A-Z_]+)["']""", CONFIG.read_text())) | {"SHARED_PASSWORD"}
    documented = set(re.findall(r"^#?KIT_HUB_([A-Z_]+)=", (ROOT / "deploy" / "hub.env.example").read_text(), re.M))
    assert read == documented


# -- the Helm values: the same settings, past one server ------------------------------------------


def test_the_helm_values_carry_the_single_servers_settings(tmp_path, kit_hub_installed):
    c = load(tmp_path)
    v = yaml.safe_load(VALUES.read_text())
    user = v["singleuser"]
    assert user["defaultUrl"] == c.Spawner.default_url
    assert user["memory"]["limit"] == c.Spawner.mem_limit
    assert float(user["cpu"]["limit"]) == c.Spawner.cpu_limit
    assert user["extraEnv"]["OMP_NUM_THREADS"] == str(int(c.Spawner.cpu_limit))
    culler = c.JupyterHub.services[0]["command"]
    assert f"--timeout={v['cull']['timeout']}" in culler and f"--cull-every={v['cull']['every']}" in culler
    assert v["cull"]["enabled"] is True and v["cull"]["users"] is False
    assert v["proxy"]["service"]["type"] == "ClusterIP"


def test_the_helm_start_command_is_kit_hub_start_on_the_release_postbuild_writes(tmp_path, kit_hub_installed):
    cmd = yaml.safe_load(VALUES.read_text())["singleuser"]["cmd"]
    assert cmd[:4] == ["python", "-m", "kit_hub", "start"] and cmd[-2:] == ["--", "jupyterhub-singleuser"]
    lessons = cmd[cmd.index("--lessons") + 1]
    # repo2docker's notebook environment, and the path binder/postBuild writes under it
    assert lessons == "/srv/conda/envs/notebook/share/activation-kit/lessons"
    assert '"$prefix/share/activation-kit/lessons"' in (ROOT / "binder" / "postBuild").read_text()
    # the same arguments work with the real command (a stand-in release and server)
    release = tmp_path / "release"
    release.mkdir()
    (release / "01.ipynb").write_text("{}")
    args = [sys.executable if a == "python" else a for a in cmd]
    args[args.index("--lessons") + 1] = str(release)
    args[args.index("--") + 1:] = [sys.executable, "-c", "print('server started')"]
    done = subprocess.run(args, env={**os.environ, "HOME": str(tmp_path)}, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "server started", done.stderr
    assert (tmp_path / "lessons" / "01.ipynb").exists()
