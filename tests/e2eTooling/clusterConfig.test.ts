import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";

import { addonManifests, corefile } from "../../e2e/cluster/addons";
import { kubeconfig, tokenFile } from "../../e2e/cluster/kubeconfig";
import { cniConfig, containerdConfig, kubeletConfig, kubeProxyConfig } from "../../e2e/cluster/nodeConfig";
import { apiServerSubjectAltNames } from "../../e2e/cluster/pki";
import { apiServerUrl, TOPOLOGY } from "../../e2e/cluster/topology";
import { e2ePaths } from "../../e2e/support/paths";
import { IMAGES } from "../../e2e/versions";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { REPO_ROOT } from "../support/stacks";

const paths = e2ePaths({ PG_HA_E2E_STATE: "/srv/e2e-state", PG_HA_E2E_CACHE: "/srv/e2e-cache" });

describe("e2e cluster: containerd", function () {
    const config = containerdConfig(paths);

    it("lowers no OOM score below its own (root here lacks CAP_SYS_RESOURCE)", function () {
        assert.match(config, /^\s*restrict_oom_score_adj = true$/m);
    });

    it("runs the local pause image, with cgroupfs, and its own root, state and socket", function () {
        assert.match(config, new RegExp(`sandbox_image = "${IMAGES.pause}"`));
        assert.match(config, /SystemdCgroup = false/);
        assert.match(config, /Root = "\/srv\/e2e-state\/run\/containerd\/runc"/);
        assert.match(config, /^root = "\/srv\/e2e-state\/containerd"$/m);
        assert.match(config, /^state = "\/srv\/e2e-state\/run\/containerd"$/m);
        assert.match(config, /address = "\/srv\/e2e-state\/run\/containerd\/containerd.sock"/);
    });

    it("mounts the pods' network namespaces under its state directory, where a stop finds them", function () {
        assert.match(config, /netns_mounts_under_state_dir = true/);
        assert.match(config, /conf_dir = "\/srv\/e2e-state\/cni\/net.d"/);
    });
});

describe("e2e cluster: the pod network", function () {
    const network = JSON.parse(cniConfig(paths)) as {
        plugins: {
            type: string;
            bridge?: string;
            ipMasq?: boolean;
            ipam?: { dataDir: string; ranges: { subnet: string; gateway: string }[][] };
        }[];
    };
    const bridge = network.plugins.find((plugin) => plugin.type === "bridge");

    it("puts the pods on the node's bridge, with the node IP as their gateway", function () {
        assert.strictEqual(bridge?.bridge, TOPOLOGY.bridge);
        assert.deepStrictEqual(bridge?.ipam?.ranges, [[{ subnet: TOPOLOGY.podSubnet, gateway: TOPOLOGY.nodeIP }]]);
    });

    it("masquerades nothing (no traffic leaves the machine) and keeps its leases in the cluster state", function () {
        assert.strictEqual(bridge?.ipMasq, false);
        assert.ok(bridge?.ipam?.dataDir.startsWith(paths.state));
    });

    it("uses an interface name Linux accepts (at most 15 characters)", function () {
        assert.ok(TOPOLOGY.bridge.length <= 15);
    });
});

describe("e2e cluster: kubelet and kube-proxy", function () {
    const kubelet = parse(kubeletConfig(paths, "/srv/ca.crt")) as Record<string, unknown>;

    it("runs on this machine's kernel: cgroupfs on cgroup v1, swap tolerated", function () {
        assert.strictEqual(kubelet.cgroupDriver, "cgroupfs");
        assert.strictEqual(kubelet.failCgroupV1, false);
        assert.strictEqual(kubelet.failSwapOn, false);
    });

    it("gives pods the node's CoreDNS and no resolver of the host", function () {
        assert.deepStrictEqual(kubelet.clusterDNS, [TOPOLOGY.nodeIP]);
        assert.strictEqual(kubelet.resolvConf, "");
        assert.strictEqual(kubelet.clusterDomain, "cluster.local");
    });

    it("answers only clients with a certificate of the cluster CA", function () {
        assert.deepStrictEqual(kubelet.authentication, {
            anonymous: { enabled: false },
            webhook: { enabled: false },
            x509: { clientCAFile: "/srv/ca.crt" },
        });
        assert.strictEqual(kubelet.readOnlyPort, 0);
    });

    it("never garbage-collects the imported images, which no registry could give back", function () {
        assert.strictEqual(kubelet.imageGCHighThresholdPercent, 100);
    });

    it("runs kube-proxy in iptables mode (no IPVS in this kernel), leaving conntrack sizes alone", function () {
        const proxy = parse(kubeProxyConfig("/srv/kp.kubeconfig")) as Record<string, unknown>;
        assert.strictEqual(proxy.mode, "iptables");
        assert.deepStrictEqual(proxy.conntrack, { maxPerCore: 0, min: 0 });
        assert.strictEqual(proxy.hostnameOverride, TOPOLOGY.nodeName);
    });
});

describe("e2e cluster: identities and the API server's certificate", function () {
    it("writes a kubeconfig with the token and the CA, for the loopback API server", function () {
        const config = parse(kubeconfig("system:kube-proxy", "t0k3n", "/srv/ca.crt")) as {
            clusters: { cluster: { server: string; "certificate-authority": string } }[];
            users: { name: string; user: { token: string } }[];
        };
        assert.strictEqual(config.clusters[0].cluster.server, apiServerUrl());
        assert.ok(apiServerUrl().startsWith("https://127.0.0.1:"));
        assert.strictEqual(config.users[0].user.token, "t0k3n");
    });

    it("lists each token with its user and groups in the API server's format", function () {
        const text = tokenFile([{ token: "abc", user: "pg-ha-e2e:admin", groups: ["system:masters"] }]);
        assert.strictEqual(text, 'abc,pg-ha-e2e:admin,pg-ha-e2e:admin,"system:masters"\n');
    });

    it("names every address the API server is reached on in its certificate", function () {
        const names = apiServerSubjectAltNames().split(",");
        for (const name of [
            "IP:127.0.0.1",
            `IP:${TOPOLOGY.kubernetesServiceIP}`,
            "DNS:kubernetes.default.svc.cluster.local",
        ]) {
            assert.ok(names.includes(name), name);
        }
    });
});

describe("e2e cluster: DNS and storage add-ons", function () {
    const objects = parseAllDocuments(addonManifests(paths, IMAGES.postgres)).map(
        (document) => document.toJS() as Record<string, unknown> & { kind: string; metadata: { name: string } },
    );

    it("are valid Kubernetes objects", function () {
        for (const object of objects) validateKubernetesObject(object);
    });

    it("serve the StorageClass the local stack asks for, as local volumes bound where the pod runs", function () {
        const local = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.local.yaml"), "utf8")) as {
            config: { "pg-ha:storage": { className: string } };
        };
        const storageClass = objects.find((object) => object.kind === "StorageClass") as unknown as Record<
            string,
            unknown
        > & {
            metadata: { name: string; annotations: Record<string, string> };
        };
        assert.strictEqual(storageClass.metadata.name, local.config["pg-ha:storage"].className);
        assert.strictEqual(storageClass.metadata.annotations.defaultVolumeType, "local");
        assert.strictEqual(storageClass.volumeBindingMode, "WaitForFirstConsumer");
    });

    it("let the provisioner's helper pods run the local image, never pulled", function () {
        const config = objects.find((object) => object.kind === "ConfigMap") as unknown as {
            data: Record<string, string>;
        };
        const helper = parse(config.data["helperPod.yaml"]) as {
            spec: { containers: { image: string; imagePullPolicy: string }[] };
        };
        assert.deepStrictEqual(
            helper.spec.containers.map((container) => [container.image, container.imagePullPolicy]),
            [[IMAGES.postgres, "Never"]],
        );
        assert.deepStrictEqual(JSON.parse(config.data["config.json"]), {
            nodePathMap: [{ node: "DEFAULT_PATH_FOR_NON_LISTED_NODES", paths: [paths.localVolumes] }],
        });
    });

    it("serve the cluster domain from CoreDNS on the node IP, with the add-on's own kubeconfig", function () {
        const text = corefile("/srv/coredns.kubeconfig");
        assert.match(text, new RegExp(`bind ${TOPOLOGY.nodeIP.replace(/\./g, "\\.")}`));
        assert.match(
            text,
            /kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{\n\s+kubeconfig \/srv\/coredns\.kubeconfig/,
        );
    });
});
