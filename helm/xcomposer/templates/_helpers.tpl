{{/* Names and labels. */}}
{{- define "xcomposer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "xcomposer.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's resources: (dict "root" $ "component" "gateway") */}}
{{- define "xcomposer.componentName" -}}
{{- printf "%s-%s" (include "xcomposer.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "xcomposer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "xcomposer.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "xcomposer.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "xcomposer.selectorLabels" . }}
app.kubernetes.io/part-of: xcomposer
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Image of one of the platform's own modules: (dict "root" $ "module" "gateway-service") */}}
{{- define "xcomposer.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.repository .module (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{- define "xcomposer.secretName" -}}
{{- default (printf "%s-secrets" (include "xcomposer.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* The model server's Service: the same name whichever server runs, so the services' address never changes. */}}
{{- define "xcomposer.modelServerHost" -}}
{{- include "xcomposer.componentName" (dict "root" . "component" "model-server") -}}
{{- end -}}

{{/* Ports the applications listen on (server.port in each application.yml; Triton's defaults). Not values: the
     applications do not take them from the chart. */}}
{{- define "xcomposer.port" -}}
{{- $ports := dict "gateway" 8080 "comprehension" 8081 "composition" 8082 "retrieval" 8083 -}}
{{- get $ports . -}}
{{- end -}}

{{/* Environment every service and the CPU model server share: bind beyond loopback, present/check the token. */}}
{{- define "xcomposer.securityEnv" -}}
- name: XCOMPOSER_BIND_ADDRESS
  value: "0.0.0.0"
- name: XCOMPOSER_SERVICE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "xcomposer.secretName" . }}
      key: service-token
{{- end -}}

{{/* Token, Redis and model-server addresses of the services behind the gateway. */}}
{{- define "xcomposer.serviceEnv" -}}
{{ include "xcomposer.securityEnv" . }}
{{ include "xcomposer.redisEnv" . | trim }}
- name: XCOMPOSER_INFERENCE_HOST
  value: {{ include "xcomposer.modelServerHost" . }}
- name: XCOMPOSER_INFERENCE_PORT
  value: "8001"
{{- end -}}

{{/* Where Redis is: the release's own, Sentinel, Cluster or a standalone address (Spring Boot's properties). */}}
{{- define "xcomposer.redisEnv" -}}
{{- $r := .Values.externalRedis -}}
{{- if .Values.redis.enabled }}
- name: SPRING_DATA_REDIS_HOST
  value: {{ include "xcomposer.componentName" (dict "root" . "component" "redis") }}
- name: SPRING_DATA_REDIS_PORT
  value: "6379"
{{- else if and $r.sentinel.master $r.sentinel.nodes }}
- name: SPRING_DATA_REDIS_SENTINEL_MASTER
  value: {{ $r.sentinel.master | quote }}
- name: SPRING_DATA_REDIS_SENTINEL_NODES
  value: {{ join "," $r.sentinel.nodes | quote }}
{{- else if $r.cluster.nodes }}
- name: SPRING_DATA_REDIS_CLUSTER_NODES
  value: {{ join "," $r.cluster.nodes | quote }}
{{- else if $r.host }}
- name: SPRING_DATA_REDIS_HOST
  value: {{ $r.host | quote }}
- name: SPRING_DATA_REDIS_PORT
  value: {{ $r.port | quote }}
{{- else }}
{{- fail "redis.enabled is false: set externalRedis.host, externalRedis.sentinel or externalRedis.cluster" }}
{{- end }}
{{- if and (not .Values.redis.enabled) $r.existingSecret }}
- name: SPRING_DATA_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.existingSecret }}
      key: {{ $r.passwordKey }}
{{- end }}
{{- end -}}

{{/* Probes of a Spring Boot process on its HTTP port. */}}
{{- define "xcomposer.actuatorProbes" -}}
startupProbe:
  httpGet: {path: /actuator/health/liveness, port: http}
  periodSeconds: 5
  failureThreshold: 36
livenessProbe:
  httpGet: {path: /actuator/health/liveness, port: http}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /actuator/health/readiness, port: http}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{/* Scheduling and pod-level settings shared by every workload: (dict "root" $ "values" .Values.gateway) */}}
{{- define "xcomposer.scheduling" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The scalable workloads: component, its values, and its kind. */}}
{{- define "xcomposer.workloads" -}}
{{- $server := ternary .Values.triton .Values.cpuServer (eq .Values.modelServer "triton") -}}
{{- $list := list
  (dict "component" "gateway" "values" .Values.gateway "kind" "Deployment")
  (dict "component" "comprehension" "values" .Values.comprehension "kind" "Deployment")
  (dict "component" "composition" "values" .Values.composition "kind" "Deployment")
  (dict "component" "retrieval" "values" .Values.retrieval "kind" "StatefulSet")
  (dict "component" "model-server" "values" $server "kind" "Deployment") -}}
{{- toJson $list -}}
{{- end -}}
