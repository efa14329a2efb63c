{{/* The release's base name, at most 40 characters so that "-node-NN" names stay short. */}}
{{- define "pohmelfs.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pohmelfs.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: pass (list $ "node"). */}}
{{- define "pohmelfs.selector" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ $.Chart.Name }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "pohmelfs.nodeName" -}}{{ include "pohmelfs.fullname" . }}-node{{- end -}}
{{- define "pohmelfs.gatewayName" -}}{{ include "pohmelfs.fullname" . }}-gateway{{- end -}}
{{- define "pohmelfs.zkName" -}}{{ include "pohmelfs.fullname" . }}-zookeeper{{- end -}}

{{/* The ZooKeeper connect string the nodes, gateways and the map tool use. */}}
{{- define "pohmelfs.zkConnect" -}}
{{- if .Values.zookeeper.enabled -}}
{{- $zk := include "pohmelfs.zkName" . -}}
{{- $hosts := list -}}
{{- range $i := until (int .Values.zookeeper.replicas) -}}
{{- $hosts = append $hosts (printf "%s-%d.%s.%s.svc.%s:%d" $zk $i $zk $.Release.Namespace $.Values.clusterDomain (int $.Values.zookeeper.clientPort)) -}}
{{- end -}}
{{- join "," $hosts -}}
{{- else -}}
{{- required "zookeeper.external is required when zookeeper.enabled is false" .Values.zookeeper.external -}}
{{- end -}}
{{- end -}}

{{/* Stable DNS name of storage node N (an int): its address in the cluster map, without the port. */}}
{{- define "pohmelfs.nodeHost" -}}
{{- $ := index . 0 -}}
{{- $n := include "pohmelfs.nodeName" $ -}}
{{- printf "%s-%d.%s.%s.svc.%s" $n (index . 1) $n $.Release.Namespace $.Values.clusterDomain -}}
{{- end -}}

{{- define "pohmelfs.image" -}}
{{- $ := index . 0 -}}{{- $img := index . 1 -}}
{{- printf "%s:%s" $img.repository (default $.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{/*
Secure by default (docs/security.md, Deployments): rendering stops with what to do when a
security feature is on without what it needs. Each is switched off only by setting it false.
*/}}
{{- define "pohmelfs.checkSecurity" -}}
{{- if and .Values.gateway.auth.enabled (not .Values.gateway.auth.usersSecret) -}}
{{- fail "gateway.auth.usersSecret is not set. Authentication is on by default (gateway.auth.enabled=true) and the gateways need a Secret holding the users file: make one with `bin/pohmelfs user add --file users.json NAME --admin` and `bin/pohmelfs k8s-secrets --users users.json | kubectl apply -f -`, then set gateway.auth.usersSecret=pohmelfs-users. To run without authentication (anyone who reaches the Service may read and write), set gateway.auth.enabled=false explicitly." -}}
{{- end -}}
{{- if .Values.tls.enabled -}}
{{- if not (and .Values.tls.nodeSecret .Values.tls.gatewaySecret) -}}
{{- fail "tls.nodeSecret and tls.gatewaySecret must name Secrets (tls.crt, tls.key, ca.crt) while tls.enabled=true (the default); to run the native protocol in plaintext set tls.enabled=false explicitly." -}}
{{- end -}}
{{- end -}}
{{- end -}}
