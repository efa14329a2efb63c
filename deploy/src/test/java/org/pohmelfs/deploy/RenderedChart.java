package org.pohmelfs.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The chart rendered by {@code helm template} (Helm itself, through helm-java) and parsed into
 * fabric8's typed Kubernetes objects, with look-ups by kind and name.
 */
record RenderedChart(String yaml, List<HasMetadata> objects) {
    static final Path CHART = Path.of("..", "helm", "pohmelfs").toAbsolutePath().normalize();
    static final String RELEASE = "files";
    static final String NAMESPACE = "storage";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT = Pattern.compile("(?m)^---\\s*$");

    /**
     * What every install must give because the chart is secure by default: the Secret with the
     * gateways' users file (the TLS Secrets have default names).
     */
    static final Map<String, Object> REQUIRED = Map.of("gateway.auth.usersSecret", "pohmelfs-users");

    /** Renders with {@link #REQUIRED} and then {@code values} set as by {@code --set key=value}. */
    static RenderedChart render(Map<String, Object> values) {
        Map<String, Object> all = new LinkedHashMap<>(REQUIRED);
        all.putAll(values);
        return renderExactly(all);
    }

    /** Renders with only {@code values} set, as by {@code --set key=value}. */
    static RenderedChart renderExactly(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        values.forEach(template::set);
        String yaml = template.call();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : DOCUMENT.split(yaml)) {
            if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
                objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
            }
        }
        return new RenderedChart(yaml, objects);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new NoSuchElementException(type.getSimpleName() + " " + name
                + " not rendered; have " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    List<GenericKubernetesResource> ofKind(String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).map(GenericKubernetesResource.class::cast).toList();
    }

    StatefulSet nodes() {
        return one(StatefulSet.class, "files-pohmelfs-node");
    }

    Deployment gateways() {
        return one(Deployment.class, "files-pohmelfs-gateway");
    }

    Service service(String name) {
        return one(Service.class, name);
    }

    Job mapInit() {
        List<Job> jobs = all(Job.class);
        if (jobs.size() != 1) {
            throw new IllegalStateException("expected one map-init Job, got " + jobs.size());
        }
        return jobs.getFirst();
    }

    List<PodDisruptionBudget> budgets() {
        return all(PodDisruptionBudget.class);
    }

    /** Every pod template: StatefulSets, Deployments and Jobs. */
    List<PodTemplateSpec> podTemplates() {
        List<PodTemplateSpec> t = new ArrayList<>();
        all(StatefulSet.class).forEach(s -> t.add(s.getSpec().getTemplate()));
        all(Deployment.class).forEach(d -> t.add(d.getSpec().getTemplate()));
        all(Job.class).forEach(j -> t.add(j.getSpec().getTemplate()));
        return t;
    }

    /** The container named {@code name} of {@code pod}. */
    static Container container(PodTemplateSpec pod, String name) {
        return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no container " + name));
    }

    static Container container(PodTemplateSpec pod) {
        List<Container> c = pod.getSpec().getContainers();
        if (c.size() != 1) {
            throw new IllegalStateException("expected one container, got " + c.size());
        }
        return c.getFirst();
    }

    /** The literal value of an environment variable (not one taken from a field or secret). */
    static Optional<String> env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst();
    }

    static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new NoSuchElementException(c.getName() + " has no port " + name)).getContainerPort();
    }
}
