import { execFile } from "child_process";

import { Kubectl } from "./clusterStatus";

/** kubectl, in `context` when one is given; its standard error becomes the error's message. */
export function kubectlIn(context: string | undefined): Kubectl {
    // A cluster that does not answer is said to, instead of a status that never comes.
    const contextArgs = ["--request-timeout=20s", ...(context === undefined ? [] : ["--context", context])];
    return (args) =>
        new Promise((resolve, reject) => {
            execFile("kubectl", [...contextArgs, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
                if (error) reject(new Error(stderr.trim() || error.message));
                else resolve(stdout);
            });
        });
}
