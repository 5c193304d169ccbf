/**
 * The configuration files of a throw-away real node (test/support/real-node.ts): containerd's, the CNI
 * network's and the kubelet's. Every path is under the node's own directory, so two nodes (two test
 * files, two clones) never share a socket, a state directory or a cgroup; each setting that differs
 * from the defaults says why. docs/real-node.md has the same list.
 */
import { join } from 'node:path';

export interface NodePaths {
  /** The node's directory (a fresh temp dir). */
  dir: string;
  /** containerd's root (content and unpacked snapshots): a machine-wide cache when free, else in `dir`. */
  containerdRoot: string;
  containerdSock: string;
  /** Where CRI looks for the network config. */
  cniConfDir: string;
  kubeletRoot: string;
}

export function nodePaths(dir: string, containerdRoot = join(dir, 'containerd', 'root')): NodePaths {
  return { dir, containerdRoot, containerdSock: join(dir, 'containerd.sock'), cniConfDir: join(dir, 'cni'), kubeletRoot: join(dir, 'kubelet') };
}

/** containerd 1.6 (Debian 12), config version 2. */
export function containerdConfig(p: NodePaths, sandboxImage: string): string {
  const d = p.dir;
  return `version = 2
# Its own state and sockets: no collision with another node or a system containerd. The root (images
# unpacked) is the machine's cache while this node holds its lock, so the image is imported once.
root = "${p.containerdRoot}"
state = "${d}/containerd/state"
# Snapshotters that cannot work here only log errors.
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "${p.containerdSock}"
[ttrpc]
  address = "${p.containerdSock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${d}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  # No registry is reachable: the pause image is built and imported by the set-up (scripts/setup.d/real-node.sh).
  sandbox_image = "${sandboxImage}"
  # exec/attach/port-forward streams on loopback, any free port.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # Pod network namespaces under the state dir, not the shared /var/run/netns.
  netns_mounts_under_state_dir = true
  # This VM's root lacks CAP_SYS_RESOURCE (its capability bounding set), so a negative oom_score_adj
  # (the pod sandbox's -998, a Guaranteed pod's -997) cannot be written and runc fails to start the
  # sandbox ("nsexec: failed to update /proc/self/oom_score_adj: Permission denied"): containerd raises
  # such values to its own (0). Positive ones (BestEffort 1000, Burstable 2..999) are kept.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # cgroup v1 and no systemd as PID 1 here: cgroupfs, as the kubelet's cgroupDriver.
        SystemdCgroup = false
        # runc's state per node, not the shared /run/containerd/runc.
        Root = "${d}/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${p.cniConfDir}"
  [plugins."io.containerd.grpc.v1.cri".registry]
    # No mirrors and no credentials: an image that is not imported fails to pull instead of reaching out.
    config_path = "${d}/containerd/certs.d"
`;
}

export interface BridgeNet {
  /** Linux bridge name (at most 15 characters). */
  bridge: string;
  /** e.g. 10.213.7.0/24 */
  subnet: string;
  /** The bridge's own address: the pods' gateway, the node's IP and where the tests expose servers. */
  gateway: string;
}

/** A bridge network with host-local addresses: pods get their own network namespace and address. */
export function cniConflist(net: BridgeNet, dir: string): string {
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: net.bridge,
      plugins: [
        {
          type: 'bridge',
          bridge: net.bridge,
          isGateway: true,
          // Pods talk only to the test process on the gateway: no NAT to the outside, no iptables rules.
          ipMasq: false,
          hairpinMode: true,
          // Address leases in the node's directory, not the shared /var/lib/cni.
          ipam: { type: 'host-local', ranges: [[{ subnet: net.subnet, gateway: net.gateway }]], dataDir: join(dir, 'cni-ipam') },
        },
      ],
    },
    null,
    2,
  );
}

export interface KubeletSettings {
  address: string;
  port: number;
  healthzPort: number;
  caCert: string;
  cgroupRoot: string;
}

/** KubeletConfiguration (v1beta1) for a throw-away node on this machine. */
export function kubeletConfig(p: NodePaths, s: KubeletSettings): string {
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      // The API server reaches the kubelet (pods/log, exec) on the bridge address: nothing on eth0.
      address: s.address,
      port: s.port,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: s.healthzPort,
      // Client certificates from the cluster's CA (the API server's kubelet client), each request
      // authorised by the API server (SubjectAccessReview); no anonymous access.
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: s.caCert } },
      authorization: { mode: 'Webhook' },
      containerRuntimeEndpoint: `unix://${p.containerdSock}`,
      // cgroup v1 with no systemd as PID 1: the cgroupfs driver (containerd's runc uses the same).
      cgroupDriver: 'cgroupfs',
      // This VM mounts cgroup v1 controllers; kubelet 1.35+ refuses v1 unless told otherwise.
      failCgroupV1: false,
      // Pod cgroups under a root of their own (created and removed by the fixture), not /kubepods.
      cgroupRoot: s.cgroupRoot,
      // A shared test machine: no swap check, no reservations to enforce, no eviction or image GC
      // because some other job filled the disk or memory for a moment.
      failSwapOn: false,
      enforceNodeAllocatable: [],
      evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      // No CAP_SYS_RESOURCE here (see restrict_oom_score_adj above): the kubelet's own default (-999)
      // cannot be set; 0 says so instead of logging a failure at start.
      oomScoreAdj: 0,
      // Graceful node shutdown needs systemd-logind: off.
      shutdownGracePeriod: '0s',
      shutdownGracePeriodCriticalPods: '0s',
      // Container logs under the node's directory (default /var/log/pods).
      podLogsDir: join(p.dir, 'pod-logs'),
      // Faster status for tests (defaults 10 s / 5 min).
      nodeStatusUpdateFrequency: '4s',
      nodeStatusReportFrequency: '10s',
      syncFrequency: '10s',
      serializeImagePulls: false,
      registerNode: true,
      resolvConf: '/etc/resolv.conf',
    },
    null,
    2,
  );
}

/** The kubelet's kubeconfig: its client certificate (CN system:node:<name>, O system:nodes). */
export function kubeletKubeconfig(server: string, caCert: string, cert: string, key: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority': caCert } }],
    users: [{ name: 'kubelet', user: { 'client-certificate': cert, 'client-key': key } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'kubelet' } }],
    'current-context': 'test',
  });
}
