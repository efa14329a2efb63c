package org.pohmelfs.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Package rules: the message model is pure; the codec depends on it, never the reverse. */
@AnalyzeClasses(packages = "org.pohmelfs.protocol", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** Exactly org.pohmelfs.protocol (not its subpackages): no I/O, framework or file-system types. */
    @ArchTest
    static final ArchRule theProtocolModelIsPure = noClasses()
            .that().resideInAPackage("org.pohmelfs.protocol")
            .should().dependOnClassesThat()
            .resideInAnyPackage("io.netty..", "reactor..", "org.springframework..", "java.nio.file..")
            .because("the message model is shared by every transport and by pure state machines");

    @ArchTest
    static final ArchRule theModelDoesNotKnowTheCodec = noClasses()
            .that().resideInAPackage("org.pohmelfs.protocol")
            .should().dependOnClassesThat().resideInAPackage("org.pohmelfs.protocol.codec..")
            .because("only codec -> protocol is allowed");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("org.pohmelfs.(**)").should().beFreeOfCycles();
}
