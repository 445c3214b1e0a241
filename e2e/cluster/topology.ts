/**
 * The single-node cluster's addresses and names. The node lives on a bridge of its own: the kubelet refuses
 * a loopback node IP, so the bridge's address is the node IP, the kubelet's and CoreDNS's listen address and
 * the pods' gateway. The API server and etcd listen on loopback only, on ports off the usual ones; the node's
 * own ports are the kubelet's and kube-proxy's usual ones, so one cluster runs at a time.
 */
export const TOPOLOGY = {
    nodeName: "pg-ha-e2e",
    bridge: "pgha-e2e0",
    /** The CNI network's name, also the host-local IPAM's directory name. */
    cniNetwork: "pg-ha-e2e",
    podSubnet: "10.244.0.0/24",
    nodeIP: "10.244.0.1",
    serviceSubnet: "10.96.0.0/24",
    /** The first address of the service range: the `kubernetes` Service. */
    kubernetesServiceIP: "10.96.0.1",
    clusterDomain: "cluster.local",
    apiServerHost: "127.0.0.1",
    apiServerPort: 16443,
    etcdClientPort: 12379,
    etcdPeerPort: 12380,
    kubeletPort: 10250,
    kubeletHealthzPort: 10248,
    kubeProxyHealthzPort: 10256,
    kubeProxyMetricsPort: 10249,
    controllerManagerPort: 10257,
    schedulerPort: 10259,
    corednsHealthPort: 18080,
    corednsReadyPort: 18181,
    /** The StorageClass of the `local` stack, so that the same stack works on kind and here. */
    storageClass: "standard",
    localPathNamespace: "local-path-storage",
} as const;

export function apiServerUrl(): string {
    return `https://${TOPOLOGY.apiServerHost}:${TOPOLOGY.apiServerPort}`;
}

export function etcdUrl(): string {
    return `http://127.0.0.1:${TOPOLOGY.etcdClientPort}`;
}

/** Kernel settings the kubelet, kube-proxy or the bridge plugin change: recorded at `up`, restored at `down`. */
export const CHANGED_SYSCTLS = [
    "vm.overcommit_memory",
    "vm.panic_on_oom",
    "kernel.panic",
    "kernel.panic_on_oops",
    "kernel.keys.root_maxkeys",
    "kernel.keys.root_maxbytes",
    "net.ipv4.ip_forward",
    "net.ipv4.conf.all.route_localnet",
    "net.bridge.bridge-nf-call-iptables",
    "net.bridge.bridge-nf-call-ip6tables",
    "net.netfilter.nf_conntrack_max",
    "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
] as const;
