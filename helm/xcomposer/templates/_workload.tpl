{{/*
One Spring Boot workload of the platform (the four services and the CPU model server).
Arguments (dict): root, component, module (image name), values (the component's values), port (HTTP port),
env (rendered env entries), kind (Deployment or StatefulSet), optional: extraPorts, volumes, volumeMounts,
initContainers, volumeClaimTemplates (rendered YAML).
*/}}
{{- define "xcomposer.springWorkload" -}}
{{- $ctx := dict "root" .root "component" .component -}}
apiVersion: apps/v1
kind: {{ .kind }}
metadata:
  name: {{ include "xcomposer.componentName" $ctx }}
  labels:
    {{- include "xcomposer.labels" $ctx | nindent 4 }}
spec:
  {{- if not .values.autoscaling.enabled }}
  replicas: {{ .values.replicas }}
  {{- end }}
  {{- if eq .kind "StatefulSet" }}
  serviceName: {{ include "xcomposer.componentName" $ctx }}
  podManagementPolicy: Parallel
  {{- end }}
  selector:
    matchLabels:
      {{- include "xcomposer.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "xcomposer.labels" $ctx | nindent 8 }}
      annotations:
        {{- /* A changed token rolls the pods, which read it only at start-up. */}}
        checksum/secrets: {{ include (print .root.Template.BasePath "/secret.yaml") .root | sha256sum }}
        {{- with .values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- toYaml .root.Values.podSecurityContext | nindent 8 }}
      {{- with include "xcomposer.scheduling" (dict "root" .root "values" .values) }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with .initContainers }}
      initContainers:
        {{- . | nindent 8 }}
      {{- end }}
      # Graceful shutdown (server.shutdown) drains streams; give it room before the kill.
      terminationGracePeriodSeconds: 45
      containers:
        - name: {{ .component }}
          image: {{ include "xcomposer.image" (dict "root" .root "module" .module) }}
          imagePullPolicy: {{ .root.Values.image.pullPolicy }}
          ports:
            - {name: http, containerPort: {{ .port }}, protocol: TCP}
            {{- with .extraPorts }}
            {{- . | nindent 12 }}
            {{- end }}
          env:
            {{- .env | nindent 12 }}
            {{- with .values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- include "xcomposer.actuatorProbes" . | nindent 10 }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- toYaml .root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            # The root filesystem is read-only; the JVM, Netty and ONNX Runtime unpack native code under /tmp.
            - {name: tmp, mountPath: /tmp}
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {sizeLimit: 512Mi}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
  {{- with .volumeClaimTemplates }}
  volumeClaimTemplates:
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}
