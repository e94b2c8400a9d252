{{/* Chart name; kuberay-operator by default so guides' label selectors keep working. */}}
{{- define "kuray-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kuray-operator.component" -}}
{{- default (include "kuray-operator.name" .) .Values.componentOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name: fullnameOverride, else the release name (+ chart name unless it contains it). */}}
{{- define "kuray-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "kuray-operator.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kuray-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kuray-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kuray-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* KubeRay's labels plus Kuray's own (part-of: kuray) to tell the two operators apart. */}}
{{- define "kuray-operator.labels" -}}
{{ include "kuray-operator.selectorLabels" . }}
app.kubernetes.io/component: {{ include "kuray-operator.component" . }}
app.kubernetes.io/part-of: kuray
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "kuray-operator.chart" . }}
{{- end -}}

{{- define "kuray-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kuray-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Watched namespaces as a list: watchNamespace, or the release namespace for single-namespace installs. */}}
{{- define "kuray-operator.watchNamespaces" -}}
{{- if .Values.watchNamespace -}}
{{- toJson .Values.watchNamespace -}}
{{- else if .Values.singleNamespaceInstall -}}
{{- toJson (list .Release.Namespace) -}}
{{- else -}}
{{- toJson (list) -}}
{{- end -}}
{{- end -}}

{{/*
The operator's rules in every watched namespace: the same list as config/rbac/role.yaml and
src/install/permissions.ts (the tests compare them). Only what Kuray calls today.
*/}}
{{- define "kuray-operator.rules" -}}
rules:
  - apiGroups: [ray.io]
    resources: [rayclusters]
    verbs: [get, list, watch, create, delete, patch, update]
  - apiGroups: [ray.io]
    resources: [rayjobs]
    verbs: [get, list, watch, create, delete, patch, update]
  - apiGroups: [ray.io]
    resources: [rayservices]
    verbs: [get, list, watch, patch, update]
  - apiGroups: [ray.io]
    resources: [raycronjobs]
    verbs: [get, list, watch]
  - apiGroups: [ray.io]
    resources: [rayclusters/status, rayjobs/status, rayservices/status, raycronjobs/status]
    verbs: [get, patch, update]
  - apiGroups: [ray.io]
    resources: [rayclusters/finalizers, rayjobs/finalizers, rayservices/finalizers, raycronjobs/finalizers]
    verbs: [update]
  - apiGroups: ['']
    resources: [pods]
    verbs: [get, list, watch, create, delete, patch]
  - apiGroups: ['']
    resources: [pods/resize]
    verbs: [patch]
  - apiGroups: ['']
    resources: [services]
    verbs: [get, list, watch, create, update, patch, delete]
  - apiGroups: ['']
    resources: [serviceaccounts]
    verbs: [get, list, watch, create]
  - apiGroups: [batch]
    resources: [jobs]
    verbs: [get, list, watch, create, delete]
  - apiGroups: ['']
    resources: [secrets]
    verbs: [get, create, patch]
  - apiGroups: [cert-manager.io]
    resources: [issuers]
    verbs: [get, create]
  - apiGroups: [cert-manager.io]
    resources: [certificates]
    verbs: [get, create, patch]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses]
    verbs: [create]
  - apiGroups: [networking.k8s.io]
    resources: [networkpolicies]
    verbs: [get, list, watch, create, patch, delete]
  - apiGroups: ['']
    resources: [persistentvolumeclaims]
    verbs: [create]
  - apiGroups: [policy]
    resources: [poddisruptionbudgets]
    verbs: [create]
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [roles, rolebindings]
    verbs: [get, list, watch, create]
  - apiGroups: ['']
    resources: [events]
    verbs: [create, patch]
{{- end -}}

{{/*
"true" when the admission webhook is served and registered. Its configurations are cluster-scoped, so a
singleNamespaceInstall (which creates nothing cluster-scoped) has none: the operator still validates
every cluster before it acts.
*/}}
{{- define "kuray-operator.webhookEnabled" -}}
{{- if and .Values.webhook.enabled (not .Values.singleNamespaceInstall) -}}true{{- end -}}
{{- end -}}

{{/* Fails rendering with a message naming the value, instead of a pod that crash-loops on a bad flag. */}}
{{- define "kuray-operator.validate" -}}
{{- $rc := toString .Values.reconcileConcurrency -}}
{{- if not (regexMatch "^[1-9][0-9]*$" $rc) -}}
{{- fail (printf "reconcileConcurrency must be a positive integer, got %q" $rc) -}}
{{- end -}}
{{- $qps := toString .Values.kubeClient.qps -}}
{{- if not (regexMatch "^[1-9][0-9]*(\\.0+)?$" $qps) -}}
{{- fail (printf "kubeClient.qps must be a positive whole number, got %q" $qps) -}}
{{- end -}}
{{- $burst := toString .Values.kubeClient.burst -}}
{{- if not (regexMatch "^[1-9][0-9]*$" $burst) -}}
{{- fail (printf "kubeClient.burst must be a positive integer, got %q" $burst) -}}
{{- end -}}
{{- if not (has .Values.logLevel (list "debug" "info" "warn" "error")) -}}
{{- fail (printf "logLevel must be debug, info, warn or error, got %q" (toString .Values.logLevel)) -}}
{{- end -}}
{{- range .Values.watchNamespace -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" (toString .)) -}}
{{- fail (printf "watchNamespace: %q is not a namespace name" (toString .)) -}}
{{- end -}}
{{- end -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElectionEnabled) -}}
{{- fail "replicas > 1 needs leaderElectionEnabled: true (two active operators would fight over the same pods)" -}}
{{- end -}}
{{- end -}}
