package org.pohmelfs.cluster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The cluster map model is pure: no ZooKeeper (that is {@code cluster.zk}), no I/O frameworks,
 * files, clocks, randomness or threads. Jackson is allowed for the stored form only.
 */
class ClusterPurityTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.pohmelfs.cluster", "org.pohmelfs.placement");

    @Test
    void importsNoFrameworkOrFiles() {
        noClasses().that().resideOutsideOfPackage("org.pohmelfs.cluster.zk..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.zookeeper..", "org.apache.curator..", "io.netty..", "reactor..",
                        "org.springframework..", "java.nio.file..", "java.util.concurrent..", "java.time..",
                        "java.io..", "java.net..")
                .check(CLASSES);
    }

    @Test
    void readsNoClockAndNoRandomnessAndStartsNoThreads() {
        noClasses().that().resideOutsideOfPackage("org.pohmelfs.cluster.zk..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .check(CLASSES);
    }
}
