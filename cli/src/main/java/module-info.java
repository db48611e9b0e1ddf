/**
 * The {@code ./fl4j} command line. picocli fills the command classes' annotated fields by reflection,
 * so their packages are opened to {@code info.picocli} only; nothing is exported.
 */
module dev.fl4j.cli {
    requires dev.fl4j.examples;
    requires dev.fl4j.simulation;
    requires dev.fl4j.bench;
    requires dev.fl4j.deploy;
    requires dev.fl4j.secagg;
    requires dev.fl4j.deploy.security;
    requires info.picocli;
    requires com.fasterxml.jackson.core;
    requires org.yaml.snakeyaml;
    requires me.tongfei.progressbar;

    opens dev.fl4j.cli to
            info.picocli;
}
