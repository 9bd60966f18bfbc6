package io.tracestitch.cli;

import picocli.CommandLine;

/** The version from the jar's manifest, so --version never disagrees with what was built. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"tracestitch " + (version == null ? "(development build)" : version)};
  }
}
