import * as http from "http";
import * as https from "https";

/** The status code of a GET, or undefined when nothing answers; for readiness checks. */
export function httpStatus(url: string, options: { ca?: string; token?: string } = {}): Promise<number | undefined> {
    return new Promise((resolve) => {
        const headers = options.token ? { Authorization: `Bearer ${options.token}` } : undefined;
        const done = (response: http.IncomingMessage): void => {
            response.resume();
            resolve(response.statusCode);
        };
        const request = url.startsWith("https:")
            ? https.get(url, { ca: options.ca, headers, timeout: 2000 }, done)
            : http.get(url, { headers, timeout: 2000 }, done);
        request.on("timeout", () => request.destroy());
        request.on("error", () => resolve(undefined));
    });
}
