{{/*
Names, labels and the pod pieces shared by the two worker Deployments and the activity Job template.
*/}}

{{- define "spnas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "spnas.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Object names; components get a suffix short enough to stay under 63 characters. */}}
{{- define "spnas.orchestratorName" -}}
{{- printf "%s-orchestrator" (include "spnas.fullname" . | trunc 50 | trimSuffix "-") }}
{{- end }}
{{- define "spnas.computeName" -}}
{{- printf "%s-compute" (include "spnas.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}
{{- define "spnas.configName" -}}
{{- printf "%s-config" (include "spnas.fullname" . | trunc 56 | trimSuffix "-") }}
{{- end }}
{{- define "spnas.jobTemplateName" -}}
{{- printf "%s-job-template" (include "spnas.fullname" . | trunc 50 | trimSuffix "-") }}
{{- end }}
{{- define "spnas.launcherName" -}}
{{- printf "%s-job-launcher" (include "spnas.fullname" . | trunc 50 | trimSuffix "-") }}
{{- end }}

{{- define "spnas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "spnas.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: name the existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "spnas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spnas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "spnas.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "spnas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: spnas
{{- end }}

{{/* Image reference; argument: dict "root" $ "gpu" <int>. A GPU count > 0 selects the GPU image. */}}
{{- define "spnas.image" -}}
{{- $v := .root.Values.image }}
{{- $tag := default .root.Chart.AppVersion $v.tag }}
{{- if gt (int .gpu) 0 }}
{{- $tag = default (printf "%s-gpu" $tag) $v.gpuTag }}
{{- end }}
{{- printf "%s:%s" $v.repository $tag }}
{{- end }}

{{/* Resources plus the GPU limit; argument: dict "resources" <map> "gpu" <gpu block>. */}}
{{- define "spnas.resources" -}}
{{- $res := deepCopy (default (dict) .resources) }}
{{- if gt (int .gpu.count) 0 }}
{{- $limits := default (dict) $res.limits }}
{{- $_ := set $limits .gpu.resourceName (int .gpu.count) }}
{{- $_ := set $res "limits" $limits }}
{{- end }}
{{- toYaml $res }}
{{- end }}

{{/*
Environment every spnas container gets: configuration from the ConfigMap, credentials only as
secretKeyRef (never values). Argument: the root context.
*/}}
{{- define "spnas.envFrom" -}}
- configMapRef:
    name: {{ include "spnas.configName" . }}
{{- end }}

{{- define "spnas.secretEnv" -}}
{{- with .Values.storage.credentials }}
{{- if .secretName }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .secretAccessKeyKey }}
{{- end }}
{{- end }}
{{- with .Values.worker.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Temporal credentials: only the workers talk to Temporal, the Jobs do not. */}}
{{- define "spnas.temporalEnv" -}}
{{- with .Values.temporal.apiKey }}
{{- if .secretName }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- with .Values.temporal.tls }}
{{- if .secretName }}
{{- if .clientCertKey }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: /etc/spnas/temporal-tls/{{ .clientCertKey }}
{{- end }}
{{- if .clientKeyKey }}
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: /etc/spnas/temporal-tls/{{ .clientKeyKey }}
{{- end }}
{{- if .serverCaCertKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: /etc/spnas/temporal-tls/{{ .serverCaCertKey }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The pod-level pieces shared by both Deployments: security, pull secrets, volumes. */}}
{{- define "spnas.workerVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.worker.tmpSizeLimit }}
{{- if include "spnas.launchesJobs" . }}
- name: job-template
  configMap:
    name: {{ include "spnas.jobTemplateName" . }}
{{- end }}
{{- if .Values.temporal.tls.secretName }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{- define "spnas.workerVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if include "spnas.launchesJobs" . }}
- name: job-template
  mountPath: /etc/spnas/job-template
  readOnly: true
{{- end }}
{{- if .Values.temporal.tls.secretName }}
- name: temporal-tls
  mountPath: /etc/spnas/temporal-tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "spnas.workerPorts" -}}
- name: metrics
  containerPort: {{ .Values.worker.metricsPort }}
  protocol: TCP
- name: health
  containerPort: {{ .Values.worker.healthPort }}
  protocol: TCP
{{- end }}

{{- define "spnas.workerProbes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: health
  {{- toYaml .Values.worker.livenessProbe | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: health
  {{- toYaml .Values.worker.readinessProbe | nindent 2 }}
{{- end }}

{{/* Fails the render on combinations that cannot work, naming the value to change. */}}
{{- define "spnas.validate" -}}
{{- if hasKey .Values.jobs.gpu "count" }}
{{- fail "jobs.gpu.count was removed: a study now chooses GPUs per activity (resources.search.gpu, ...); set jobs.gpu.maxPerJob (the most GPUs one Job may take) and move the GPU pool's nodeSelector/tolerations to jobs.gpu.nodeSelector/tolerations (helm/spnas/README.md)" }}
{{- end }}
{{- if and .Values.keda.enabled (not .Values.computeWorkers.enabled) }}
{{- fail "keda.enabled scales the compute workers: set computeWorkers.enabled=true as well" }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int .Values.keda.minReplicas) (int .Values.keda.maxReplicas)) }}
{{- fail (printf "keda.minReplicas (%v) is above keda.maxReplicas (%v)" .Values.keda.minReplicas .Values.keda.maxReplicas) }}
{{- end }}
{{- end }}

{{/* Executor of each Deployment, and whether any of them launches Jobs (then RBAC and the Job template exist). */}}
{{- define "spnas.orchestratorExecutor" -}}
{{- if .Values.computeWorkers.enabled }}local{{ else }}{{ .Values.executor.type }}{{ end }}
{{- end }}
{{- define "spnas.computeExecutor" -}}
{{- .Values.computeWorkers.executor }}
{{- end }}
{{- define "spnas.launchesJobs" -}}
{{- if or (eq (include "spnas.orchestratorExecutor" .) "k8s-job") (and .Values.computeWorkers.enabled (eq (include "spnas.computeExecutor" .) "k8s-job")) }}true{{ end }}
{{- end }}

{{/*
The worker Deployment's pod template. Argument: dict "root" $ "component" <orchestrator|compute>
"role" <worker role> "executor" <local|k8s-job> "v" <the component's values block> "gpu" <gpu block>.
*/}}
{{- define "spnas.workerPodTemplate" -}}
{{- $root := .root }}
metadata:
  labels:
    {{- include "spnas.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    spnas/worker: "true"
    {{- with .v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # Rolls the pods when the configuration or the Job template changes.
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    checksum/job-template: {{ include (print $root.Template.BasePath "/configmap-job-template.yaml") $root | sha256sum }}
    {{- with .v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "spnas.serviceAccountName" $root }}
  # Only a worker that launches Jobs gets a Kubernetes API token.
  automountServiceAccountToken: {{ eq .executor "k8s-job" }}
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ $root.Values.worker.terminationGracePeriodSeconds }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with .v.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  volumes:
    {{- include "spnas.workerVolumes" $root | nindent 4 }}
  containers:
    - name: worker
      image: {{ include "spnas.image" (dict "root" $root "gpu" .gpu.count) }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: ["worker", "--role", {{ .role | quote }}]
      envFrom:
        {{- include "spnas.envFrom" $root | nindent 8 }}
      env:
        - name: SPNAS_EXECUTOR
          value: {{ .executor | quote }}
        {{- if eq .component "compute" }}
        - name: SPNAS_COMPUTE_CONCURRENCY
          value: {{ $root.Values.computeWorkers.concurrency | quote }}
        {{- end }}
        {{- with include "spnas.temporalEnv" $root }}
        {{- . | trim | nindent 8 }}
        {{- end }}
        {{- with include "spnas.secretEnv" $root }}
        {{- . | trim | nindent 8 }}
        {{- end }}
      ports:
        {{- include "spnas.workerPorts" $root | nindent 8 }}
      {{- include "spnas.workerProbes" $root | nindent 6 }}
      resources:
        {{- include "spnas.resources" (dict "resources" .v.resources "gpu" .gpu) | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        {{- include "spnas.workerVolumeMounts" $root | nindent 8 }}
{{- end }}

{{/*
One activity Job class (the launcher fills it per attempt). Argument: dict "root" $ "gpu" <bool>.
The GPU class runs the GPU image, adds jobs.gpu.nodeSelector/tolerations, and limits the GPU
resource to jobs.gpu.maxPerJob: the most a study may ask for (the launcher sets each Job's count).
*/}}
{{- define "spnas.jobTemplate" -}}
{{- $root := .root }}
{{- $j := $root.Values.jobs }}
{{- $res := $j.resources }}
{{- $nodeSelector := $j.nodeSelector }}
{{- $tolerations := $j.tolerations }}
{{- if .gpu }}
{{- $res = default $j.resources $j.gpu.resources }}
{{- $nodeSelector = merge (deepCopy (default (dict) $j.gpu.nodeSelector)) (default (dict) $j.nodeSelector) }}
{{- $tolerations = concat (default (list) $j.tolerations) (default (list) $j.gpu.tolerations) }}
{{- end }}
apiVersion: batch/v1
kind: Job
metadata:
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "spnas.labels" $root | nindent 4 }}
    app.kubernetes.io/component: activity
spec:
  # Temporal owns retries: a failed pod fails the attempt. Only a disrupted pod (eviction,
  # preemption) is replaced inside the Job: the launcher sets a podFailurePolicy for that.
  backoffLimit: 0
  ttlSecondsAfterFinished: {{ $j.ttlSecondsAfterFinished }}
  template:
    metadata:
      labels:
        {{- include "spnas.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: activity
        {{- with $j.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $j.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      restartPolicy: Never
      # SIGTERM -> stop after the current step, commit a checkpoint, exit; then SIGKILL.
      terminationGracePeriodSeconds: {{ $j.terminationGracePeriodSeconds }}
      serviceAccountName: {{ include "spnas.serviceAccountName" $root }}
      # The pod only computes and talks to the object store: no Kubernetes API token.
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      {{- with $j.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $j.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.worker.tmpSizeLimit }}
      containers:
        - name: main
          image: {{ include "spnas.image" (dict "root" $root "gpu" (ternary 1 0 .gpu)) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          # The image's entrypoint, spelled out: the launcher keeps a template's command.
          command: ["/usr/bin/tini", "--", "spnas"]
          # Replaced by the launcher: ["run-activity", "<name>", "--input", "<store URI>"].
          args: ["--help"]
          envFrom:
            {{- include "spnas.envFrom" $root | nindent 12 }}
          {{- with include "spnas.secretEnv" $root }}
          env:
            {{- . | trim | nindent 12 }}
          {{- end }}
          resources:
            {{- include "spnas.resources" (dict "resources" $res "gpu" (dict "count" (ternary $j.gpu.maxPerJob 0 .gpu) "resourceName" $j.gpu.resourceName)) | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
{{- end }}
