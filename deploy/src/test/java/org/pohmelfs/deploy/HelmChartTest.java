package org.pohmelfs.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pohmelfs.deploy.RenderedChart.container;
import static org.pohmelfs.deploy.RenderedChart.env;
import static org.pohmelfs.deploy.RenderedChart.port;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart {@code helm/pohmelfs}: {@code helm lint --strict}, then {@code helm template}
 * with several value sets, each rendering parsed into typed Kubernetes objects and checked
 * for what a cluster would only show at run time: probes and resources on every container,
 * ports that agree with the configuration the processes get, the nodes' stable addresses equal
 * to their addresses in the first cluster map, TLS secrets mounted where the TLS properties point.
 */
class HelmChartTest {

    static List<Map<String, Object>> valueSets() {
        return List.of(
                Map.of(),
                Map.of("tls.enabled", false),
                Map.of("metrics.serviceMonitor.enabled", true),
                Map.of("node.replicas", 5, "node.port", 7100, "node.httpPort", 9100, "gateway.port", 8088),
                Map.of("zookeeper.enabled", false, "zookeeper.external", "zk1:2181,zk2:2181,zk3:2181",
                        "node.config.pohmelfs.node.io-concurrency", 32),
                Map.of("gateway.https.enabled", true, "tls.enabled", true),
                Map.of("gateway.auth.enabled", false, "gateway.audit.enabled", false),
                Map.of("gateway.audit.existingClaim", "audit-logs", "gateway.auth.trustedProxies[0]", "10.1.0.7", "gateway.auth.trustedProxies[1]", "10.1.0.8"));
    }

    /** Helm's lint mode only logs {@code fail}, so the chart's own values.yaml lints without a users Secret. */
    @Test
    void lintStrictFindsNothing() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("lint messages: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void everyLongRunningContainerHasProbesAndEveryContainerResources(Map<String, Object> values) {
        RenderedChart chart = RenderedChart.render(values);
        assertThat(chart.podTemplates()).hasSizeGreaterThanOrEqualTo(3);
        for (PodTemplateSpec pod : chart.podTemplates()) {
            List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
            all.addAll(pod.getSpec().getInitContainers());
            for (Container c : all) {
                assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as(c.getName()).containsKey("memory");
                assertThat(c.getImage()).as(c.getName()).contains(":").doesNotEndWith(":");
            }
        }
        for (PodTemplateSpec pod : List.of(chart.nodes().getSpec().getTemplate(), chart.gateways().getSpec().getTemplate())) {
            Container c = container(pod);
            int http = port(c, "http");
            boolean https = c.getPorts().stream().anyMatch(p -> "https".equals(p.getName()));
            assertThat(env(c, "SERVER_PORT")).as("server port of %s", c.getName())
                    .hasValue(String.valueOf(https ? port(c, "https") : http));
            if (https) { // then actuator is on the plain listener, the "http" port the probes use
                assertThat(env(c, "POHMELFS_GATEWAY_HTTPS_PLAINPORT")).hasValue(String.valueOf(http));
            }
            assertThat(env(c, "SERVER_ADDRESS")).hasValue("0.0.0.0");
            assertHttpProbe(c.getLivenessProbe(), "/actuator/health/liveness");
            assertHttpProbe(c.getStartupProbe(), "/actuator/health/liveness");
            assertHttpProbe(c.getReadinessProbe(), "/actuator/health/readiness");
        }
        chart.all(StatefulSet.class).stream().filter(s -> s.getMetadata().getName().endsWith("-zookeeper"))
                .forEach(zk -> {
                    Container c = container(zk.getSpec().getTemplate());
                    assertThat(c.getLivenessProbe()).isNotNull();
                    assertThat(c.getReadinessProbe()).isNotNull();
                });
    }

    private static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    /** The readiness groups the probes rely on are those the applications define. */
    @Test
    void probesUseTheHealthGroupsTheApplicationsDefine() throws IOException {
        for (String module : List.of("storage-node", "gateway")) {
            String yml = Files.readString(Path.of("..", module, "src", "main", "resources", "application.yml"));
            assertThat(yml).as(module).containsPattern("probes:\\s+enabled: true")
                    .containsPattern("readiness:\\s+include: readinessState,\\w+");
        }
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void portsAgreeWithTheConfigurationAndServicesSelectTheirPods(Map<String, Object> values) {
        RenderedChart chart = RenderedChart.render(values);
        Container node = container(chart.nodes().getSpec().getTemplate());
        Container gateway = container(chart.gateways().getSpec().getTemplate());
        int nativePort = port(node, "native");
        assertThat(nativePort).isEqualTo(values.getOrDefault("node.port", 7070));
        assertThat(port(node, "http")).isEqualTo(values.getOrDefault("node.httpPort", 9070));
        assertThat(port(gateway, "http")).isEqualTo(values.getOrDefault("gateway.port", 8080));
        assertThat(env(node, "POHMELFS_NODE_PORT")).hasValue(String.valueOf(nativePort));

        for (Service s : chart.all(Service.class)) {
            PodTemplateSpec pod = podsOf(chart, s.getSpec().getSelector());
            assertThat(pod.getMetadata().getLabels()).as(s.getMetadata().getName())
                    .containsAllEntriesOf(s.getSpec().getSelector());
            for (ServicePort sp : s.getSpec().getPorts()) {
                String target = sp.getTargetPort().getStrVal();
                assertThat(container(pod).getPorts()).as("%s targets %s", s.getMetadata().getName(), target)
                        .anyMatch(p -> target.equals(p.getName()));
            }
        }
        Service headless = chart.service(chart.nodes().getSpec().getServiceName());
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();

        for (PodDisruptionBudget pdb : chart.budgets()) {
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
            podsOf(chart, pdb.getSpec().getSelector().getMatchLabels());
        }
        assertThat(chart.budgets()).extracting(p -> p.getMetadata().getName())
                .contains("files-pohmelfs-node", "files-pohmelfs-gateway");
    }

    /** The pod template whose labels the selector picks; exactly one. */
    private static PodTemplateSpec podsOf(RenderedChart chart, Map<String, String> selector) {
        List<PodTemplateSpec> matched = chart.podTemplates().stream()
                .filter(p -> p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
        assertThat(matched).as("pods selected by %s", selector).hasSize(1);
        return matched.getFirst();
    }

    /**
     * Node N's id and host (what it registers in ZooKeeper) are its pod's name and its stable
     * name under the headless service: exactly the member the map-init Job writes for it.
     */
    @ParameterizedTest
    @MethodSource("valueSets")
    void theFirstMapNamesEveryNodeAtItsStableAddress(Map<String, Object> values) {
        RenderedChart chart = RenderedChart.render(values);
        StatefulSet nodes = chart.nodes();
        Container node = container(nodes.getSpec().getTemplate());
        int replicas = (Integer) values.getOrDefault("node.replicas", 3);
        assertThat(nodes.getSpec().getReplicas()).isEqualTo(replicas);
        assertThat(env(node, "POHMELFS_NODE_ID")).hasValue("$(POD_NAME)");
        assertThat(env(node, "POHMELFS_NODE_HOST"))
                .hasValue("$(POD_NAME)." + nodes.getSpec().getServiceName() + ".$(POD_NAMESPACE).svc.cluster.local");
        assertThat(node.getEnv()).anyMatch(e -> e.getName().equals("POD_NAME")
                && e.getValueFrom().getFieldRef().getFieldPath().equals("metadata.name"));

        Container init = container(chart.mapInit().getSpec().getTemplate());
        List<String> args = init.getArgs();
        assertThat(args.subList(0, 3)).containsExactly("init", env(node, "POHMELFS_NODE_ZOOKEEPER_CONNECT").orElseThrow(),
                env(node, "POHMELFS_NODE_CLUSTER").orElseThrow());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            String pod = nodes.getMetadata().getName() + "-" + i;
            expected.add(pod + "=" + pod + "." + nodes.getSpec().getServiceName() + "." + RenderedChart.NAMESPACE
                    + ".svc.cluster.local:" + port(node, "native"));
        }
        assertThat(args.subList(3, args.size())).containsExactlyElementsOf(expected);
        assertThat(init.getImage()).isEqualTo(node.getImage());

        // every node and gateway reaches the same ZooKeeper and cluster
        Container gateway = container(chart.gateways().getSpec().getTemplate());
        assertThat(env(gateway, "POHMELFS_GATEWAY_ZOOKEEPER_CONNECT")).isEqualTo(env(node, "POHMELFS_NODE_ZOOKEEPER_CONNECT"));
        assertThat(env(gateway, "POHMELFS_GATEWAY_CLUSTER")).isEqualTo(env(node, "POHMELFS_NODE_CLUSTER"));
    }

    @Test
    void theEmbeddedEnsembleIsWhatTheConnectStringNames() {
        RenderedChart chart = RenderedChart.render(Map.of());
        StatefulSet zk = chart.one(StatefulSet.class, "files-pohmelfs-zookeeper");
        Container c = container(zk.getSpec().getTemplate());
        String connect = env(container(chart.nodes().getSpec().getTemplate()), "POHMELFS_NODE_ZOOKEEPER_CONNECT").orElseThrow();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < zk.getSpec().getReplicas(); i++) {
            expected.add("files-pohmelfs-zookeeper-" + i + ".files-pohmelfs-zookeeper.storage.svc.cluster.local:"
                    + port(c, "client"));
        }
        assertThat(Arrays.asList(connect.split(","))).containsExactlyElementsOf(expected);
        assertThat(env(c, "ZOO_SERVERS").orElseThrow().split(" ")).hasSize(3)
                .allMatch(s -> s.matches("server\\.[1-3]=files-pohmelfs-zookeeper-[0-2]\\..*:2888:3888;2181"));
        assertThat(zk.getSpec().getVolumeClaimTemplates()).extracting(p -> p.getMetadata().getName()).containsExactly("data");
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath).contains("/data", "/datalog");
    }

    /** Every POHMELFS_* variable the chart sets names a real property (the generated reference lists them all). */
    @ParameterizedTest
    @MethodSource("valueSets")
    void everyVariableTheChartSetsIsAProperty(Map<String, Object> values) throws IOException {
        String reference = Files.readString(Path.of("..", "docs", "configuration.md"));
        RenderedChart chart = RenderedChart.render(values);
        for (PodTemplateSpec pod : List.of(chart.nodes().getSpec().getTemplate(), chart.gateways().getSpec().getTemplate())) {
            List<String> names = container(pod).getEnv().stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("POHMELFS_")).toList();
            assertThat(names).isNotEmpty().allSatisfy(n -> assertThat(reference).as(n).contains("`" + n + "`"));
        }
    }

    @Test
    void anExternalEnsembleReplacesTheEmbeddedOne() {
        RenderedChart chart = RenderedChart.render(valueSets().get(4));
        assertThat(chart.find(StatefulSet.class, "files-pohmelfs-zookeeper")).isEmpty();
        Container node = container(chart.nodes().getSpec().getTemplate());
        assertThat(env(node, "POHMELFS_NODE_ZOOKEEPER_CONNECT")).hasValue("zk1:2181,zk2:2181,zk3:2181");
        assertThat(env(node, "SPRING_APPLICATION_JSON")).hasValue("{\"pohmelfs\":{\"node\":{\"io-concurrency\":32}}}");
    }

    @Test
    void nodesKeepTheirExportsOnPersistentVolumes() {
        StatefulSet nodes = RenderedChart.render(Map.of()).nodes();
        Container node = container(nodes.getSpec().getTemplate());
        assertThat(nodes.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
            assertThat(pvc.getMetadata().getName()).isEqualTo("data");
            assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
        });
        VolumeMount data = node.getVolumeMounts().stream().filter(m -> m.getName().equals("data")).findFirst().orElseThrow();
        String export = env(node, "POHMELFS_NODE_EXPORT").orElseThrow();
        assertThat(export).startsWith(data.getMountPath() + "/");
        // the node opens an existing export only: an init container makes it on the same volume
        Container prepare = nodes.getSpec().getTemplate().getSpec().getInitContainers().getFirst();
        assertThat(prepare.getCommand()).last().asString().contains("mkdir -p " + export);
        assertThat(prepare.getVolumeMounts()).singleElement().isEqualTo(data);
        assertThat(nodes.getSpec().getTemplate().getSpec().getSecurityContext().getFsGroup()).isEqualTo(10001L);
    }

    @Test
    void mutualTlsIsOnByDefaultWithTheSecretsMountedWhereTheTlsPropertiesPoint() {
        RenderedChart plain = RenderedChart.render(Map.of("tls.enabled", false));
        assertThat(container(plain.nodes().getSpec().getTemplate()).getEnv()).noneMatch(e -> e.getName().contains("_TLS_"));
        assertThat(container(plain.gateways().getSpec().getTemplate()).getEnv()).noneMatch(e -> e.getName().contains("_TLS_"));

        RenderedChart chart = RenderedChart.render(Map.of());
        checkTls(chart.nodes().getSpec().getTemplate(), "POHMELFS_NODE_TLS_", "pohmelfs-node-tls");
        checkTls(chart.gateways().getSpec().getTemplate(), "POHMELFS_GATEWAY_TLS_", "pohmelfs-gateway-tls");
        assertThat(env(container(chart.nodes().getSpec().getTemplate()), "POHMELFS_NODE_TLS_REQUIRED")).hasValue("true");
        assertThat(env(container(chart.gateways().getSpec().getTemplate()), "POHMELFS_GATEWAY_TLS_REQUIRED")).hasValue("true");

        assertThatThrownBy(() -> RenderedChart.render(Map.of("tls.nodeSecret", ""))).hasMessageContaining("nodeSecret");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("tls.gatewaySecret", ""))).hasMessageContaining("gatewaySecret");
    }

    /**
     * Secure by default: with no values at all rendering stops and says what to give (the users
     * Secret) or what to switch off on purpose; switching authentication off renders, and says so
     * in the gateways' environment.
     */
    @Test
    void withoutAUsersSecretRenderingFailsUnlessAuthenticationIsSwitchedOffExplicitly() {
        assertThatThrownBy(() -> RenderedChart.renderExactly(Map.of()))
                .hasMessageContaining("gateway.auth.usersSecret is not set")
                .hasMessageContaining("bin/pohmelfs k8s-secrets")
                .hasMessageContaining("gateway.auth.enabled=false");
        assertThatThrownBy(() -> RenderedChart.renderExactly(Map.of("gateway.auth.enabled", true)))
                .hasMessageContaining("gateway.auth.usersSecret is not set");

        RenderedChart open = RenderedChart.renderExactly(Map.of("gateway.auth.enabled", false));
        Container gateway = container(open.gateways().getSpec().getTemplate());
        assertThat(env(gateway, "POHMELFS_GATEWAY_AUTH_ENABLED")).hasValue("false");
        assertThat(env(gateway, "POHMELFS_GATEWAY_AUTH_USERSFILE")).isEmpty();
        assertThat(open.gateways().getSpec().getTemplate().getSpec().getVolumes()).noneMatch(v -> v.getName().equals("users"));
    }

    /**
     * The users Secret is mounted whole (the kubelet updates it by swapping the {@code ..data}
     * link, which a {@code subPath} mount never sees) and the users-file property points into it.
     */
    @Test
    void theUsersSecretIsMountedWholeWhereTheUsersFilePropertyPoints() {
        RenderedChart chart = RenderedChart.render(Map.of("gateway.auth.usersSecret", "team-users",
                "gateway.auth.usersKey", "people.json", "gateway.auth.trustedProxies[0]", "10.1.0.7", "gateway.auth.trustedProxies[1]", "10.1.0.8"));
        PodTemplateSpec pod = chart.gateways().getSpec().getTemplate();
        Container c = container(pod);
        Volume users = volume(pod, "users");
        assertThat(users.getSecret().getSecretName()).isEqualTo("team-users");
        assertThat(users.getSecret().getItems()).as("the whole Secret").isNullOrEmpty();
        VolumeMount mount = mount(c, "users");
        assertThat(mount.getSubPath()).as("a subPath mount is never updated").isNull();
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(env(c, "POHMELFS_GATEWAY_AUTH_ENABLED")).hasValue("true");
        assertThat(env(c, "POHMELFS_GATEWAY_AUTH_USERSFILE")).hasValue(mount.getMountPath() + "/people.json");
        assertThat(env(c, "POHMELFS_GATEWAY_AUTH_TRUSTEDPROXIES")).hasValue("10.1.0.7,10.1.0.8");

        Container byDefault = container(RenderedChart.render(Map.of()).gateways().getSpec().getTemplate());
        assertThat(env(byDefault, "POHMELFS_GATEWAY_AUTH_USERSFILE")).hasValue("/etc/pohmelfs/users/users.json");
        assertThat(env(byDefault, "POHMELFS_GATEWAY_AUTH_TRUSTEDPROXIES")).isEmpty();
    }

    /**
     * The audit log is on by default: one file per pod (replicas may share a claim) on a volume
     * mounted where the property points, with the rotation limits; an emptyDir unless a claim is
     * named; a sidecar can mount the same volume to ship the lines.
     */
    @Test
    void theAuditLogGoesToOneFilePerPodOnAVolume() {
        PodTemplateSpec pod = RenderedChart.render(Map.of()).gateways().getSpec().getTemplate();
        Container c = container(pod);
        VolumeMount mount = mount(c, "audit");
        assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(env(c, "POHMELFS_GATEWAY_AUDIT_FILE")).hasValue(mount.getMountPath() + "/$(POD_NAME).log");
        // $(POD_NAME) is expanded only when POD_NAME is defined before the variable that uses it
        List<String> names = c.getEnv().stream().map(e -> e.getName()).toList();
        assertThat(names.indexOf("POD_NAME")).isNotNegative().isLessThan(names.indexOf("POHMELFS_GATEWAY_AUDIT_FILE"));
        assertThat(env(c, "POHMELFS_GATEWAY_AUDIT_MAXFILESIZE")).hasValue("100MB");
        assertThat(env(c, "POHMELFS_GATEWAY_AUDIT_MAXHISTORY")).hasValue("30");
        assertThat(env(c, "POHMELFS_GATEWAY_AUDIT_TOTALSIZECAP")).hasValue("1GB");
        Volume audit = volume(pod, "audit");
        assertThat(audit.getEmptyDir().getSizeLimit().toString()).isEqualTo("2Gi");

        RenderedChart claimed = RenderedChart.render(Map.of("gateway.audit.existingClaim", "audit-logs",
                "gateway.audit.maxHistory", 400, "gateway.sidecars[0].name", "shipper",
                "gateway.sidecars[0].image", "fluent/fluent-bit:4.0",
                "gateway.sidecars[0].volumeMounts[0].name", "audit",
                "gateway.sidecars[0].volumeMounts[0].mountPath", "/var/log/pohmelfs/audit",
                "gateway.sidecars[0].volumeMounts[0].readOnly", true));
        PodTemplateSpec claimedPod = claimed.gateways().getSpec().getTemplate();
        assertThat(volume(claimedPod, "audit").getPersistentVolumeClaim().getClaimName()).isEqualTo("audit-logs");
        assertThat(volume(claimedPod, "audit").getEmptyDir()).isNull();
        assertThat(env(container(claimedPod, "gateway"), "POHMELFS_GATEWAY_AUDIT_MAXHISTORY")).hasValue("400");
        Container shipper = container(claimedPod, "shipper");
        assertThat(mount(shipper, "audit").getMountPath()).isEqualTo(mount.getMountPath());

        PodTemplateSpec off = RenderedChart.render(Map.of("gateway.audit.enabled", false)).gateways().getSpec().getTemplate();
        assertThat(container(off).getEnv()).noneMatch(e -> e.getName().contains("_AUDIT_"));
        assertThat(off.getSpec().getVolumes()).noneMatch(v -> v.getName().equals("audit"));
    }

    /**
     * The disk cache is off by default; switched on, its folder property points at an emptyDir
     * (the folder is emptied at every start anyway) whose size limit leaves room for the bound.
     */
    @Test
    void theDiskCacheIsOptionalAndLivesOnAnEmptyDirWhereItsPropertyPoints() {
        PodTemplateSpec off = RenderedChart.render(Map.of()).gateways().getSpec().getTemplate();
        assertThat(container(off).getEnv()).noneMatch(e -> e.getName().contains("_CACHE_DISK_"));
        assertThat(off.getSpec().getVolumes()).noneMatch(v -> v.getName().equals("cache"));

        PodTemplateSpec on = RenderedChart.render(Map.of("gateway.cache.disk.enabled", true,
                "gateway.cache.disk.maxBytes", "4GB")).gateways().getSpec().getTemplate();
        Container c = container(on);
        VolumeMount mount = mount(c, "cache");
        assertThat(env(c, "POHMELFS_GATEWAY_CACHE_DISK_DIR")).hasValue(mount.getMountPath());
        assertThat(env(c, "POHMELFS_GATEWAY_CACHE_DISK_MAXBYTES")).hasValue("4GB");
        assertThat(env(c, "POHMELFS_GATEWAY_CACHE_DISK_MAXFILESIZE")).hasValue("16GB");
        assertThat(volume(on, "cache").getEmptyDir().getSizeLimit().toString()).isEqualTo("11Gi");
    }

    /** What {@code helm install} prints after installing: a warning for each security feature switched off. */
    @Test
    void theNotesWarnAboutEverySecurityFeatureSwitchedOff() {
        String secure = notes(RenderedChart.REQUIRED);
        assertThat(secure).contains("mutual TLS", "users: Secret pohmelfs-users", "audit log: /var/log/pohmelfs/audit/")
                .doesNotContain("WARNING");
        String open = notes(Map.of("gateway.auth.enabled", false, "tls.enabled", false, "gateway.audit.enabled", false));
        assertThat(open).contains("WARNING: tls.enabled=false", "WARNING: gateway.auth.enabled=false", "audit log: off");
    }

    private static String notes(Map<String, Object> values) {
        var install = new Helm(RenderedChart.CHART).install().withName(RenderedChart.RELEASE)
                .withNamespace(RenderedChart.NAMESPACE).dryRun().clientOnly();
        values.forEach(install::set);
        return install.call().getOutput();
    }

    private static Volume volume(PodTemplateSpec pod, String name) {
        return pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static VolumeMount mount(Container c, String name) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    private static void checkTls(PodTemplateSpec pod, String prefix, String secret) {
        Volume tls = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow();
        assertThat(tls.getSecret().getSecretName()).isEqualTo(secret);
        Container c = container(pod);
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals("tls")).findFirst().orElseThrow();
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(env(c, prefix + "CERTIFICATE")).hasValue(mount.getMountPath() + "/tls.crt");
        assertThat(env(c, prefix + "PRIVATEKEY")).hasValue(mount.getMountPath() + "/tls.key");
        assertThat(env(c, prefix + "TRUSTEDCA")).hasValue(mount.getMountPath() + "/ca.crt");
    }

    @Test
    void httpsMountsTheWholeSecretWhereTheHttpsPropertiesPointAndKeepsProbesOnThePlainPort() {
        RenderedChart plain = RenderedChart.render(Map.of());
        Container plainGateway = container(plain.gateways().getSpec().getTemplate());
        assertThat(plainGateway.getEnv()).noneMatch(e -> e.getName().contains("_HTTPS_"));
        assertThat(plainGateway.getPorts()).extracting(p -> p.getName()).containsExactly("http");

        RenderedChart chart = RenderedChart.render(Map.of("gateway.https.enabled", true, "gateway.https.secret", "gw-cert",
                "gateway.https.plainHttp", "refuse"));
        PodTemplateSpec pod = chart.gateways().getSpec().getTemplate();
        Container c = container(pod);
        Volume https = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("https")).findFirst().orElseThrow();
        assertThat(https.getSecret().getSecretName()).isEqualTo("gw-cert");
        assertThat(https.getSecret().getItems()).as("the whole Secret: renewals reach the pod").isNullOrEmpty();
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals("https")).findFirst().orElseThrow();
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(mount.getSubPath()).as("a subPath mount is never updated").isNull();
        assertThat(env(c, "POHMELFS_GATEWAY_HTTPS_CERTIFICATE")).hasValue(mount.getMountPath() + "/tls.crt");
        assertThat(env(c, "POHMELFS_GATEWAY_HTTPS_PRIVATEKEY")).hasValue(mount.getMountPath() + "/tls.key");
        assertThat(env(c, "POHMELFS_GATEWAY_HTTPS_PLAINHTTP")).hasValue("refuse");
        assertThat(env(c, "SERVER_PORT")).hasValue("8443");
        assertThat(env(c, "POHMELFS_GATEWAY_HTTPS_PLAINPORT")).hasValue("8080");
        assertThat(pod.getSpec().getSecurityContext().getFsGroup()).as("mode 0440 files readable by uid 10001").isEqualTo(10001L);
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("prometheus.io/port", "8080");
        assertHttpProbe(c.getReadinessProbe(), "/actuator/health/readiness");
        assertThat(chart.service("files-pohmelfs-gateway").getSpec().getPorts())
                .anySatisfy(p -> {
                    assertThat(p.getName()).isEqualTo("https");
                    assertThat(p.getPort()).isEqualTo(443);
                    assertThat(p.getTargetPort().getStrVal()).isEqualTo("https");
                });
        assertThatThrownBy(() -> RenderedChart.render(Map.of("gateway.https.plainHttp", "serve")))
                .hasMessageContaining("plainHttp");
    }

    @Test
    void serviceMonitorsAreOffByDefaultAndScrapeTheActuatorPortWhenOn() {
        assertThat(RenderedChart.render(Map.of()).ofKind("ServiceMonitor")).isEmpty();
        RenderedChart chart = RenderedChart.render(Map.of("metrics.serviceMonitor.enabled", true));
        List<GenericKubernetesResource> monitors = chart.ofKind("ServiceMonitor");
        assertThat(monitors).hasSize(2);
        for (GenericKubernetesResource m : monitors) {
            @SuppressWarnings("unchecked")
            Map<String, String> selector = (Map<String, String>) m.get("spec", "selector", "matchLabels");
            List<Service> services = chart.all(Service.class).stream()
                    .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
            assertThat(services).as(m.getMetadata().getName()).hasSize(1);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> endpoints = (List<Map<String, Object>>) m.get("spec", "endpoints");
            assertThat(endpoints).singleElement().satisfies(e -> {
                assertThat(e).containsEntry("path", "/actuator/prometheus");
                assertThat(services.getFirst().getSpec().getPorts()).extracting(ServicePort::getName).contains((String) e.get("port"));
            });
        }
    }

    @Test
    void theSchemaRefusesMistypedValues() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("node.port", "seventy"))).hasMessageContaining("port");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("node.leaseDuration", "ten seconds")))
                .hasMessageContaining("leaseDuration");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("zookeeper.enabled", false)))
                .hasMessageContaining("zookeeper.external is required");
    }

    @Test
    void gatewaysRollWithoutLosingCapacity() {
        Deployment gw = RenderedChart.render(Map.of()).gateways();
        assertThat(gw.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(gw.getSpec().getReplicas()).isEqualTo(2);
    }
}
