/** Where each pod sees its volumes. The bootstrap scripts get these through the environment. */
export const POD_PATHS = {
    /** The data volume's mount point. */
    data: "/var/lib/postgresql/data",
    /** PGDATA: a subdirectory of the mount, as PostgreSQL asks for on NFS (and any mount with lost+found). */
    pgdata: "/var/lib/postgresql/data/pgdata",
    /** The backup volume (with a `backup` setting): `<namespace>/<cluster>/` holds each cluster's backups. */
    backup: "/var/lib/postgresql/backup",
    /** The ConfigMap: scripts, postgresql.conf and pg_hba.conf. */
    config: "/etc/pg-ha/config",
    /** The Secret: one file per password. */
    secrets: "/etc/pg-ha/secrets",
    /** The TLS Secret: the server's certificate and key, and the CA that signed it. */
    tls: "/etc/pg-ha/tls",
    /** Sockets, lock files and the replication passfile; an emptyDir, since the root filesystem is read-only. */
    runtime: "/var/run/postgresql",
    tmp: "/tmp",
    /** POSIX shared memory, for parallel query workers. */
    shm: "/dev/shm",
} as const;
