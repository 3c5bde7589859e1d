{{/* Names, labels and the derived settings every template shares. */}}

{{- define "tapr-ws.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* release-chart, or the release name alone when it already contains the chart name (Helm's convention). */}}
{{- define "tapr-ws.fullname" -}}
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

{{- define "tapr-ws.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tapr-ws.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tapr-ws.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "tapr-ws.labels" -}}
helm.sh/chart: {{ include "tapr-ws.chart" . }}
{{ include "tapr-ws.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tapr-ws
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "tapr-ws.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tapr-ws.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tapr-ws.operatorImage" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "tapr-ws.gatewayImage" -}}
{{- printf "%s:%s" .Values.gateway.image.repository (default .Chart.AppVersion .Values.gateway.image.tag) }}
{{- end }}

{{/* The Service the API server calls for admission; the operator's certificate names it. */}}
{{- define "tapr-ws.webhookServiceName" -}}
{{- printf "%s-webhook" (include "tapr-ws.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tapr-ws.metricsServiceName" -}}
{{- printf "%s-metrics" (include "tapr-ws.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The MutatingWebhookConfiguration and (self-managed mode) the Secret with the operator's CA: the chart renders both and
tells the operator their names (OPERATOR_WEBHOOK_CONFIGURATION_NAME, OPERATOR_WEBHOOK_SECRET), so `helm uninstall`
removes them and releases with different names (e.g. one per team with watchNamespaces) do not collide.
*/}}
{{- define "tapr-ws.webhookConfigurationName" -}}
{{- include "tapr-ws.fullname" . }}
{{- end }}

{{- define "tapr-ws.selfManagedSecretName" -}}
{{- printf "%s-webhook-tls" (include "tapr-ws.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* cert-manager mode: the Secret cert-manager writes the serving certificate into (mounted by the operator). */}}
{{- define "tapr-ws.certManagerSecretName" -}}
{{- printf "%s-webhook-tls" (include "tapr-ws.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tapr-ws.certificateName" -}}
{{- printf "%s-webhook" (include "tapr-ws.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tapr-ws.certDir" -}}
/etc/tapr-ws/webhook-tls
{{- end }}

{{/* Lease for leader election (OPERATOR_LEASE_NAME), in the release namespace. */}}
{{- define "tapr-ws.leaseName" -}}
{{- include "tapr-ws.fullname" . }}
{{- end }}

{{/* Namespaces never injected: kube-system and the operator's own, sorted and unique as the operator writes them. */}}
{{- define "tapr-ws.excludedNamespaces" -}}
{{- list "kube-system" .Release.Namespace | uniq | sortAlpha | toJson }}
{{- end }}

{{/* The watched namespaces, sorted and unique; empty means every namespace. */}}
{{- define "tapr-ws.watchNamespaces" -}}
{{- .Values.watchNamespaces | uniq | sortAlpha | toJson }}
{{- end }}

{{/* A resource quantity for the operator's gateway options, or "none" (not set). */}}
{{- define "tapr-ws.quantityOrNone" -}}
{{- if . }}{{ . }}{{ else }}none{{ end }}
{{- end }}

{{/*
What the operator does with the namespaced objects it watches (derived from its API calls: informers list+watch;
the reconciler writes WebSocketGateways, their status, the -ws Services and Events; the restarter patches
Deployments' pod templates; with redis.secretInPods the reconciler copies the Redis Secret into app namespaces, under
the same name: create cannot be limited to a name in RBAC, get/update are).
*/}}
{{- define "tapr-ws.watchRules" -}}
- apiGroups: [apps]
  resources: [deployments]
  verbs: {{ if .Values.restartOutdated }}[list, watch, patch]{{ else }}[list, watch]{{ end }}
- apiGroups: [""]
  resources: [pods, configmaps]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [services]
  verbs: [list, watch, create, patch]
- apiGroups: [tapr.io]
  resources: [websocketgateways]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [tapr.io]
  resources: [websocketgateways/status]
  verbs: [patch]
{{- /* The CR is owned by its Deployment and the -ws Service by the CR, with blockOwnerDeletion: clusters that run the
OwnerReferencesPermissionEnforcement admission plugin (OpenShift, hardened clusters) require update on the owner's
finalizers to set that. */}}
- apiGroups: [apps]
  resources: [deployments/finalizers]
  verbs: [update]
- apiGroups: [tapr.io]
  resources: [websocketgateways/finalizers]
  verbs: [update]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- if .Values.gateway.networkPolicy.enabled }}
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, watch, create, patch]
{{- end }}
{{- if and .Values.redis.enabled .Values.redis.secretInPods }}
- apiGroups: [""]
  resources: [secrets]
  verbs: [create]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [{{ .Values.redis.existingSecret }}]
  verbs: [get, update]
{{- end }}
{{- end }}

{{- /* The peers of the per-app NetworkPolicy as JSON: the admin's, then the operator's own pods (the leader samples
GET :40010/stats). */ -}}
{{- define "tapr-ws.gatewayNetworkPolicyFrom" -}}
{{- $operator := dict "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" .Release.Namespace)) "podSelector" (dict "matchLabels" (include "tapr-ws.selectorLabels" . | fromYaml)) -}}
{{- toJson (append (.Values.gateway.networkPolicy.from | default list) $operator) -}}
{{- end }}
