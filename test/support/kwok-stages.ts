/**
 * kwok's stages for the test cluster: what a kubelet would do, as status rewrites. kwok ships no
 * stages of its own when given a config, so these define the whole lifecycle:
 *
 *  - nodes become Ready at once (address 127.0.0.1, kubelet port = kwok's server, which serves pod
 *    logs) and heartbeat every ~20 s so the node-lifecycle controller never marks them lost;
 *  - scheduled pods start Running at once, unless annotated `spnas.test/waiting: <Reason>`: then
 *    their containers wait with that reason (ImagePullBackOff, CreateContainerConfigError, ...);
 *  - a Job's running pod completes at once (exit 0) unless annotated `spnas.test/hold`: then it
 *    runs until a test sets `spnas.test/exit` to "0" (Succeeded), "OOMKilled" (Failed, 137), or
 *    any other exit code (Failed, reason Error). This is how a test stands in for the container;
 *  - a running pod being deleted (an eviction, a preemption, the Job's deadline, a Job deleted with
 *    its pods) ends as a kubelet ends it after SIGTERM: phase Failed, the container terminated with
 *    exit 143, its conditions kept (DisruptionTarget included). Annotated `spnas.test/graceful`, it
 *    instead keeps running until a test sets `spnas.test/exit`, the code its container exited with
 *    after handling SIGTERM (a checkpoint, error.json): how a test plays a graceful stop;
 *  - a deleted pod disappears once its finalizers are gone (as after a kubelet's graceful stop).
 */

/** Annotation keys the stages react to. */
export const POD_HOLD = 'spnas.test/hold';
export const POD_EXIT = 'spnas.test/exit';
export const POD_WAITING = 'spnas.test/waiting';
export const POD_GRACEFUL = 'spnas.test/graceful';

const runningContainers = `
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}`;

function terminated(phase: 'Succeeded' | 'Failed', exitCode: string, reason: string): string {
  return `
    statusTemplate: |
      {{ $now := Now }}
      phase: ${phase}
      conditions:
      - type: Ready
        status: "False"
        reason: PodCompleted
        lastTransitionTime: {{ $now | Quote }}
      - type: ContainersReady
        status: "False"
        reason: PodCompleted
        lastTransitionTime: {{ $now | Quote }}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          terminated:
            exitCode: ${exitCode}
            reason: ${reason}
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}`;
}

const jobPodRunning = `
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: [Running]
    - key: '.metadata.ownerReferences.[].kind'
      operator: In
      values: [Job]`;

/** A running pod that is being deleted and still holds a finalizer (the Job controller's, until it counted the pod). */
const terminatingPod = `
    - key: '.metadata.deletionTimestamp'
      operator: Exists
    - key: '.metadata.finalizers'
      operator: Exists
    - key: '.status.phase'
      operator: In
      values: [Running]`;

/**
 * Stages that end a pod matching `selector` once a test set `spnas.test/exit`: "0" Succeeded,
 * "OOMKilled" Failed 137, any other code Failed with it.
 */
function exitStages(name: string, selector: string): string {
  const stage = (suffix: string, match: string, next: string) => `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: ${name}-${suffix}}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:${selector}
    - key: '.metadata.annotations["${POD_EXIT}"]'
      operator: Exists${match}
  next:${next}`;
  const values = (op: string, v: string) => `
    - key: '.metadata.annotations["${POD_EXIT}"]'
      operator: ${op}
      values: [${v}]`;
  return [
    stage('exit-0', values('In', "'0'"), terminated('Succeeded', '0', 'Completed')),
    stage('oom', values('In', 'OOMKilled'), terminated('Failed', '137', 'OOMKilled')),
    stage('exit-error', values('NotIn', "'0', OOMKilled"), terminated('Failed', `{{ index $.metadata.annotations "${POD_EXIT}" }}`, 'Error')),
  ].join('\n---\n');
}

export const KWOK_STAGES = `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: spnas-node-ready}
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: NotIn
      values: ['True']
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Running
      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}
      addresses:
      - {type: InternalIP, address: {{ NodeIP | Quote }}}
      - {type: Hostname, address: {{ NodeName | Quote }}}
      daemonEndpoints:
        kubeletEndpoint:
          Port: {{ NodePort }}
      capacity:
      {{ with .status.capacity }}{{ YAML . 1 }}{{ else }}  {cpu: "32", memory: 128Gi, pods: "110"}{{ end }}
      allocatable:
      {{ with .status.allocatable }}{{ YAML . 1 }}{{ else }}  {cpu: "32", memory: 128Gi, pods: "110"}{{ end }}
      nodeInfo:
        architecture: amd64
        operatingSystem: linux
        kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
        containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
        kernelVersion: kwok
        kubeProxyVersion: kwok
        osImage: kwok
        bootID: ""
        machineID: ""
        systemUUID: ""
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: spnas-node-heartbeat}
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: In
      values: ['True']
  delay: {durationMilliseconds: 15000, jitterDurationMilliseconds: 20000}
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: spnas-pod-running}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: [Pending]
    - key: '.metadata.annotations["${POD_WAITING}"]'
      operator: DoesNotExist
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: NotIn
      values: ['True']
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Running
      startTime: {{ $now | Quote }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      conditions:
      - {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
      - {type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }}}
      - {type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }}}
${runningContainers}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: spnas-pod-waiting}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: [Pending]
    - key: '.metadata.annotations["${POD_WAITING}"]'
      operator: Exists
    - key: '.status.containerStatuses'
      operator: DoesNotExist
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $reason := index .metadata.annotations "${POD_WAITING}" }}
      phase: Pending
      startTime: {{ $now | Quote }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      conditions:
      - {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
      - {type: ContainersReady, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}
      - {type: Ready, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          waiting:
            reason: {{ $reason | Quote }}
            message: {{ printf "kwok test stage: %s" $reason | Quote }}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: spnas-job-pod-complete-at-once}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:${jobPodRunning}
    - key: '.metadata.annotations["${POD_HOLD}"]'
      operator: DoesNotExist
    - key: '.metadata.annotations["${POD_EXIT}"]'
      operator: DoesNotExist
  next:${terminated('Succeeded', '0', 'Completed')}
---
${exitStages('spnas-job-pod', jobPodRunning)}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: spnas-pod-sigterm}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:${terminatingPod}
    - key: '.metadata.annotations["${POD_GRACEFUL}"]'
      operator: DoesNotExist
  next:${terminated('Failed', '143', 'Error')}
---
${exitStages(
  'spnas-pod-stopping',
  `${terminatingPod}
    - key: '.metadata.annotations["${POD_GRACEFUL}"]'
      operator: Exists`,
)}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: spnas-pod-delete}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: Exists
    - key: '.metadata.finalizers'
      operator: DoesNotExist
  next:
    delete: true
`;
