"""``KitSystemdSpawner``: one systemd unit per user, whose cgroup enforces memory and CPU limits.

Needs ``pip install 'activation-kit-hub[systemd]'`` (jupyterhub-systemdspawner), a host booted
with systemd, and the hub running as root. SystemdSpawner turns ``mem_limit`` into
``MemoryMax`` and ``cpu_limit`` into ``CPUQuota`` for the user's whole process tree; this class
adds the lessons copy (``kit-hub start``), the thread caps, and ``max_processes`` as
``TasksMax``.
"""

from __future__ import annotations

from systemdspawner import SystemdSpawner

from kit_hub.spawner import KitSpawner


class KitSystemdSpawner(KitSpawner, SystemdSpawner):
    """SystemdSpawner with the lessons copy, thread caps and TasksMax."""

    async def start(self):  # type: ignore[no-untyped-def]
        """Start the unit, with ``TasksMax`` from ``max_processes``."""
        if self.max_processes:
            self.unit_extra_properties = {**self.unit_extra_properties, "TasksMax": str(self.max_processes)}
        return await super().start()
