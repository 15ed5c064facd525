{{- define "eg.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "eg.labels" -}}
app.kubernetes.io/part-of: envoy-gateway-ts
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* The image of every service: deployment.envoyGateway.image overrides global.images.envoyGateway.image. */}}
{{- define "eg.image" -}}
{{- $repo := .Values.deployment.envoyGateway.image.repository -}}
{{- $tag := .Values.deployment.envoyGateway.image.tag | default .Chart.AppVersion -}}
{{- $image := ternary (printf "%s:%s" $repo $tag) .Values.global.images.envoyGateway.image (ne $repo "") -}}
{{- if .Values.global.imageRegistry -}}{{ printf "%s/%s" .Values.global.imageRegistry $image }}{{- else -}}{{ $image }}{{- end -}}
{{- end -}}

{{- define "eg.pullPolicy" -}}
{{- .Values.deployment.envoyGateway.imagePullPolicy | default .Values.global.images.envoyGateway.pullPolicy -}}
{{- end -}}

{{- /* Pull secrets from global.imagePullSecrets, global.images.envoyGateway.pullSecrets and deployment.envoyGateway.imagePullSecrets, as a YAML list. */ -}}
{{- define "eg.pullSecrets" -}}
{{- $secrets := list -}}
{{- range (concat .Values.global.imagePullSecrets .Values.global.images.envoyGateway.pullSecrets .Values.deployment.envoyGateway.imagePullSecrets) -}}
{{- if kindIs "map" . -}}
{{- $secrets = append $secrets (dict "name" .name) -}}
{{- else -}}
{{- $secrets = append $secrets (dict "name" .) -}}
{{- end -}}
{{- end -}}
{{- toYaml $secrets -}}
{{- end -}}

{{- define "eg.natsUrl" -}}
nats://{{ include "eg.fullname" . }}-nats.{{ .Release.Namespace }}.svc.{{ .Values.kubernetesClusterDomain }}:4222
{{- end -}}

{{- /* Where Envoy fleets go: config.envoyGateway.provider.kubernetes.deploy.type, as in gateway-helm. */ -}}
{{- define "eg.deployType" -}}
{{- $type := dig "kubernetes" "deploy" "type" "ControllerNamespace" .Values.config.envoyGateway.provider -}}
{{- if not (has $type (list "ControllerNamespace" "GatewayNamespace")) -}}
{{- fail (printf "config.envoyGateway.provider.kubernetes.deploy.type must be ControllerNamespace or GatewayNamespace, not %s" $type) -}}
{{- end -}}
{{- $type -}}
{{- end -}}
