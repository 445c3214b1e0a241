import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";

import { PodCluster, waitUntil } from "./podHarness";
import { removeNetns, run } from "./hostCommands";

const PORT = 9000;

/**
 * An S3-compatible server for the object-store tests: moto's server mode, installed by
 * tools/install-s3-test-server.sh. Either in a network namespace of its own that outlives the harness's
 * clusters (`inNetns`, then `attach` to one cluster's pod network at a time), or on an address of this host
 * that a real cluster's pods reach (`onHost`). The tests' own client runs where the server does.
 */
export class S3Server {
    private constructor(
        /** The command that runs a program where the server is: [] on the host, `ip netns exec` otherwise. */
        private readonly where: string[],
        private readonly server: ChildProcess,
        private readonly python: string,
        private readonly local: string,
        /** The endpoint the pods reach it at. */
        readonly endpoint: string,
        private readonly netns?: string,
    ) {}

    /** In a namespace of its own, reached by the harness's pods at PodCluster.SPARE_ADDRESS once attached. */
    static inNetns(): Promise<S3Server> {
        // pgha-<pid>-<n>-…: removed with the stale runs once this process is gone.
        const netns = `pgha-${process.pid}-0-s3`;
        removeNetns(netns);
        run("ip", ["netns", "add", netns]);
        run("ip", ["-n", netns, "link", "set", "lo", "up"]);
        return S3Server.start(
            ["ip", "netns", "exec", netns],
            "0.0.0.0",
            `http://${PodCluster.SPARE_ADDRESS}:${PORT}`,
            netns,
        );
    }

    /** On `address` of this host (a real cluster's node address, which its pods reach). */
    static onHost(address: string, port: number): Promise<S3Server> {
        return S3Server.start([], address, `http://${address}:${port}`, undefined, port);
    }

    private static async start(
        where: string[],
        listen: string,
        endpoint: string,
        netns?: string,
        port = PORT,
    ): Promise<S3Server> {
        const motoServer = execFileSync(
            "bash",
            [path.join(__dirname, "..", "..", "tools", "install-s3-test-server.sh")],
            { encoding: "utf8" },
        ).trim();
        const [command, ...args] = [...where, motoServer, "-H", listen, "-p", String(port)];
        const server = spawn(command, args, { stdio: "ignore" });
        const local = `http://${listen === "0.0.0.0" ? "127.0.0.1" : listen}:${port}`;
        const s3 = new S3Server(where, server, path.join(path.dirname(motoServer), "python"), local, endpoint, netns);
        await waitUntil("the S3 server answers", () => s3.answers(), 30000);
        return s3;
    }

    /** On `cluster`'s pod network from now on (the cluster it was on must be destroyed first). */
    attach(cluster: PodCluster): void {
        if (!this.netns) throw new Error("only a server in a namespace of its own is attached to a pod network");
        cluster.attachNetns(this.netns, "s3", PodCluster.SPARE_ADDRESS);
    }

    createBucket(bucket: string): void {
        this.boto(`s3.create_bucket(Bucket=${JSON.stringify(bucket)})`);
    }

    /** The keys under `prefix` in `bucket`. */
    keys(bucket: string, prefix: string): string[] {
        const output = this.boto(
            `print("\\n".join(o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=${JSON.stringify(bucket)}, Prefix=${JSON.stringify(prefix)}) for o in p.get("Contents", [])))`,
        );
        return output.split("\n").filter((key) => key.length > 0);
    }

    copyKey(bucket: string, from: string, to: string): void {
        this.boto(
            `s3.copy_object(Bucket=${JSON.stringify(bucket)}, Key=${JSON.stringify(to)}, CopySource={"Bucket": ${JSON.stringify(bucket)}, "Key": ${JSON.stringify(from)}})`,
        );
    }

    deleteKey(bucket: string, key: string): void {
        this.boto(`s3.delete_object(Bucket=${JSON.stringify(bucket)}, Key=${JSON.stringify(key)})`);
    }

    /** Stops the server (by its PID), and removes its namespace if it has one. */
    stop(): void {
        this.server.kill("SIGTERM");
        if (this.netns) removeNetns(this.netns);
    }

    private answers(): boolean {
        try {
            this.boto("s3.list_buckets()");
            return true;
        } catch {
            return false;
        }
    }

    /** Runs a statement with `s3`, a boto3 client of the server, where the server is. */
    private boto(statement: string): string {
        const program = [
            "import boto3",
            `s3 = boto3.client("s3", endpoint_url="${this.local}", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
            statement,
        ].join("\n");
        const [command, ...args] = [...this.where, this.python, "-c", program];
        return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    }
}
