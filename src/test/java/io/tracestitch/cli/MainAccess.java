package io.tracestitch.cli;

/** Lets tests outside this package run the command line as a user would, without System.exit. */
public final class MainAccess {
  private MainAccess() {}

  public static int run(String... args) {
    return Main.commandLine().execute(args);
  }
}
