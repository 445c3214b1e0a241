/**
 * Every version the end-to-end cluster and the checks' tools are built from, in one place. A change here is a
 * new cache key: the next `npm run e2e` (or `npm run score`) builds what changed and keeps the rest.
 */
export const VERSIONS = {
    kubernetes: "v1.34.4",
    etcd: "v3.6.16",
    coredns: "v1.14.0",
    localPathProvisioner: "v0.0.30",
    criTools: "v1.34.0",
    /**
     * The NetworkPolicy engine (kube-router's firewall alone: iptables and ipset). The only version the proxy
     * serves; advisories are reported against it, acceptable for a controller that only sees this loopback
     * test cluster. (kube-network-policies needs nfqueue in nftables, which this kernel lacks.)
     */
    kubeRouter: "v2.1.0",
    pulumi: "v3.274.1",
    /** The last sdk/v3 that holds the Node.js language host as a package (the proxy refuses its own module). */
    pulumiLanguageNodejs: "v3.68.0",
    /** The same for the Python language host, and its `pulumi-language-python-exec`. */
    pulumiLanguagePython: "v3.68.0",
    /** The newest pulumi-yaml the proxy serves, built with the pkg/v3 its go.mod names (later ones do not compile with it). */
    pulumiLanguageYaml: "v1.25.0",
    pulumiLanguageYamlPulumiSdk: "v3.206.0",
    /** The only provider/v4 pseudo-version the proxy serves; its code is the v4.25.0 release. */
    pulumiKubernetesModule: "v4.0.0-20260115033456-f47bc2d6f199",
    pulumiKubernetesCode: "4.25.0",
    /** The provider's own pins do not compile together: these do. */
    pulumiKubernetesPulumiSdk: "v3.229.0",
    pulumiKubernetesSdk: "v4.29.0",
    /** Debian release of the images' root filesystems and of the node's packages. */
    debian: "bookworm",
    postgresMajor: "15",
    /** Bumped when the image recipe changes, so that a cached image is rebuilt. */
    imageRecipe: "4",
    pause: "3.10",
    /** The peer rule suite `npm run score` checks every stack's manifests with (tools/score). */
    kubeScore: "v1.20.0",
} as const;

/** Debian packages the node needs on the host. */
export const HOST_PACKAGES = [
    "containerd",
    "runc",
    "containernetworking-plugins",
    "iptables",
    "umoci",
    "debootstrap",
    "openssl",
    "conntrack",
    "ipset",
    // The Python programs' virtual environments (python3 -m venv).
    "python3-venv",
    // The psql that `npm start` tells a person to connect with.
    "postgresql-client",
] as const;

/** Images the cluster runs, by the reference the kubelet and the stacks use. */
export const IMAGES = {
    pause: `localhost/pg-ha-e2e/pause:${VERSIONS.pause}`,
    postgres: `localhost/pg-ha-e2e/postgres:${VERSIONS.postgresMajor}-${VERSIONS.debian}-${VERSIONS.imageRecipe}`,
} as const;
