import * as assert from "assert";
import {
    STATEFUL_SET,
    assertReported,
    check,
    container,
    literally,
    template,
    workload,
} from "../support/policyFixtures";

describe("images-not-latest: every container image has a tag other than latest, or a digest", () => {
    const images = (image: string, type = STATEFUL_SET) =>
        check("images-not-latest", [workload(type, template([container({ image })]))]);

    for (const [image, problem] of [
        ["postgres", "has no tag, which means latest"],
        ["postgres:latest", "is on the tag latest"],
        ["registry.example:5000/postgres", "has no tag, which means latest"],
        ["docker.io/library/postgres:latest", "is on the tag latest"],
    ]) {
        it(`reports ${image}`, async () => {
            const expected = literally(`spec.template.spec.containers[0].image "${image}" ${problem}`);
            assertReported(await images(image), new RegExp(`^${expected}`));
        });
    }

    for (const image of [
        "postgres:17",
        "registry.example:5000/postgres:17.6",
        `postgres@sha256:${"ab".repeat(32)}`,
        `postgres:17@sha256:${"cd".repeat(32)}`,
    ]) {
        it(`accepts ${image}`, async () => {
            assert.deepStrictEqual(await images(image), []);
        });
    }

    it("checks init containers and the pods of a CronJob", async () => {
        const init = workload(STATEFUL_SET, template([container()], [container({ name: "init", image: "busybox" })]));
        assertReported(
            await check("images-not-latest", [init]),
            /^spec\.template\.spec\.initContainers\[0\]\.image "busybox"/,
        );
        assertReported(
            await images("postgres", "kubernetes:batch/v1:CronJob"),
            /^spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.image "postgres"/,
        );
    });
});
