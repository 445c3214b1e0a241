"""A replicated PostgreSQL on Kubernetes from Python, with the SDK that `pulumi package add` generates.

The settings are those of the project's `local` stack; `pulumi config set` changes them.
"""

import pulumi
import pulumi_pg_ha as pg_ha

config = pulumi.Config()

cluster = pg_ha.PostgresCluster(
    # The component's name, as the TypeScript program's: every resource's name starts with it.
    "postgresql",
    namespace=config.get("namespace") or "pg-ha-local",
    replicas=config.get_int("replicas") or 3,
    image=config.get("image") or "postgres:17",
    storage=pg_ha.StorageArgs(size="1Gi", class_name=config.get("storageClass") or "standard"),
    resources=pg_ha.ContainerResourcesArgs(
        requests=pg_ha.ResourceRequestsArgs(cpu="100m", memory="256Mi"),
        limits=pg_ha.ResourceLimitsArgs(memory="512Mi"),
    ),
    tls=pg_ha.TlsArgs(mode=config.get("tlsMode") or pg_ha.TlsMode.GENERATED),
    # Generated when not set; `pulumi config set --secret superuserPassword …` gives your own.
    superuser_password=config.get_secret("superuserPassword"),
    replication_password=config.get_secret("replicationPassword"),
)

pulumi.export("namespace", cluster.namespace)
pulumi.export("rwServiceHost", cluster.rw_service_host)
pulumi.export("secretName", cluster.secret_name)
pulumi.export("connectionUri", cluster.connection_uri)
