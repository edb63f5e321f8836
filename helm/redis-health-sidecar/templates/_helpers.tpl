{{/* Names and labels. */}}
{{- define "redis-health-sidecar.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "redis-health-sidecar.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "redis-health-sidecar.selectorLabels" -}}
app.kubernetes.io/name: {{ include "redis-health-sidecar.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "redis-health-sidecar.labels" -}}
{{ include "redis-health-sidecar.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/*
The sidecar's config.yaml from .Values.config: each target's passwordSecret becomes a
passwordFile under /var/run/secrets/redis-health/<target>/ (mounted by "volumes" below).
Argument: the chart's values.
*/}}
{{- define "redis-health-sidecar.configYaml" -}}
{{- $targets := list }}
{{- range .config.targets }}
{{- $target := omit . "passwordSecret" }}
{{- if .passwordSecret }}
{{- $_ := set $target "passwordFile" (printf "/var/run/secrets/redis-health/%s/password" .name) }}
{{- end }}
{{- $targets = append $targets $target }}
{{- end }}
{{- $config := omit .config "targets" "listen" }}
{{- $_ := set $config "targets" $targets }}
{{- toYaml $config }}
{{- end }}

{{/*
The sidecar container. Other charts add it to their pods with this chart as a dependency:
  containers:
    - name: app
      ...
    {{- include "redis-health-sidecar.container" (dict "values" (index .Values "redis-health-sidecar") "configMap" "NAME") | nindent 4 }}
  volumes:
    {{- include "redis-health-sidecar.volumes" (dict "values" (index .Values "redis-health-sidecar") "configMap" "NAME") | nindent 4 }}
Argument: a dict with "values" (this chart's values) and "configMap" (the ConfigMap holding
config.yaml, as rendered by this chart's configmap.yaml); optionally "native" (true: render it
for initContainers as a native sidecar, Kubernetes 1.29+) and "shards" (the StatefulSet's
replicas when sharded).
*/}}
{{- define "redis-health-sidecar.container" -}}
{{- $v := .values -}}
{{- $shards := int (.shards | default 1) -}}
- name: redis-health
  image: "{{ $v.image.repository }}:{{ $v.image.tag }}"
  imagePullPolicy: {{ $v.image.pullPolicy | default "IfNotPresent" }}
  {{- if .native }}
  # A native sidecar (Kubernetes 1.29+): started before the app's containers, restarted on its own.
  restartPolicy: Always
  {{- end }}
  args:
    - --config
    - /etc/redis-health/config.yaml
    - --listen
    - "0.0.0.0:{{ $v.service.port }}"
    {{- if gt $shards 1 }}
    # The shard is the ordinal at the end of POD_NAME (a StatefulSet pod).
    - --total-shards
    - "{{ $shards }}"
    {{- end }}
  {{- if or $v.env (gt $shards 1) }}
  env:
    {{- if gt $shards 1 }}
    - name: POD_NAME
      valueFrom: { fieldRef: { fieldPath: metadata.name } }
    {{- end }}
    {{- with $v.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  ports:
    - name: redis-health
      containerPort: {{ $v.service.port }}
      protocol: TCP
  livenessProbe:
    httpGet: { path: /healthz, port: redis-health }
    {{- toYaml $v.livenessProbe | nindent 4 }}
  readinessProbe:
    httpGet: { path: /readyz, port: redis-health }
    {{- toYaml $v.readinessProbe | nindent 4 }}
  resources:
    {{- toYaml $v.resources | nindent 4 }}
  securityContext:
    {{- toYaml $v.securityContext | nindent 4 }}
  volumeMounts:
    - name: redis-health-config
      mountPath: /etc/redis-health
      readOnly: true
    {{- range $v.config.targets }}
    {{- if .passwordSecret }}
    - name: redis-health-password-{{ .name | lower | replace "_" "-" | replace "." "-" }}
      mountPath: /var/run/secrets/redis-health/{{ .name }}
      readOnly: true
    {{- end }}
    {{- end }}
{{- end }}

{{/* The volumes the container above mounts; same argument. */}}
{{- define "redis-health-sidecar.volumes" -}}
- name: redis-health-config
  configMap:
    name: {{ .configMap }}
{{- range .values.config.targets }}
{{- if .passwordSecret }}
- name: redis-health-password-{{ .name | lower | replace "_" "-" | replace "." "-" }}
  secret:
    secretName: {{ .passwordSecret.name }}
    items:
      - key: {{ .passwordSecret.key }}
        path: password
{{- end }}
{{- end }}
{{- end }}
