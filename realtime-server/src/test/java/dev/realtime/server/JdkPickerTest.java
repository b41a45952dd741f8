package dev.realtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/jdk.sh, which ./realtime, ./test and CI source to find a JDK 21+ by themselves. */
class JdkPickerTest {
  @TempDir Path jvms;

  record Result(int exitCode, String stdout, String stderr) {}

  @Test
  void picksTheNewestJdkOf21OrLater() throws Exception {
    fakeJdk("jdk-17", 17);
    fakeJdk("jdk-21", 21);
    fakeJdk("jdk-25", 25);
    fakeJdk("jdk-11", 11);
    Result r = pick(Map.of());
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout().trim()).isEqualTo(jvms.resolve("jdk-25").toString());
  }

  @Test
  void usesJavaHomeWhenItIs21OrLater() throws Exception {
    fakeJdk("jdk-25", 25);
    Path home = fakeJdk("jdk-21", 21);
    assertThat(pick(Map.of("JAVA_HOME", home.toString())).stdout().trim())
        .isEqualTo(home.toString());
    Path old = fakeJdk("jdk-17", 17);
    assertThat(pick(Map.of("JAVA_HOME", old.toString())).stdout().trim())
        .isEqualTo(jvms.resolve("jdk-25").toString());
  }

  @Test
  void aMachineWithOnlyOldJdksGetsOneClearSentence() throws Exception {
    fakeJdk("jdk-17", 17);
    Result r = pick(Map.of());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr().strip().lines()).hasSize(1);
    assertThat(r.stderr()).contains("needs a JDK 21 or newer").contains("install");
  }

  private Path fakeJdk(String name, int version) throws IOException {
    Path bin = Files.createDirectories(jvms.resolve(name).resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(
        java, "#!/bin/sh\necho '    java.specification.version = " + version + "' >&2\n");
    Files.writeString(bin.resolve("javac"), "#!/bin/sh\n");
    for (Path p : new Path[] {java, bin.resolve("javac")}) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return jvms.resolve(name);
  }

  private Result pick(Map<String, String> env) throws Exception {
    Path script = Path.of("..", "scripts", "jdk.sh").toAbsolutePath().normalize();
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", ". \"$0\" && echo \"$JAVA_HOME\"", script.toString());
    pb.environment().remove("JAVA_HOME");
    pb.environment().put("REALTIME_JDK_DIRS", jvms + "/*");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
