package org.pohmelfs.coherence;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The coherence package is pure: no I/O frameworks, files, clocks, randomness or threads. */
class CoherencePurityTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.pohmelfs.coherence");

    @Test
    void importsNoFrameworkOrFiles() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "io.netty..", "reactor..", "org.springframework..", "java.nio.file..", "java.util.concurrent..",
                "java.time..", "java.io..", "java.net..")
                .check(CLASSES);
    }

    @Test
    void readsNoClockAndNoRandomnessAndStartsNoThreads() {
        noClasses().should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .check(CLASSES);
    }
}
