package io.tracestitch.cli;

/** Lets tests outside this package run the command line as a user would, without System.exit. */
public final class MainAccess {
  private MainAccess() {}

  public static int run(String... args) {
    return Main.commandLine().execute(args);
  }

  /** As {@link #run(String...)}, with what the command line says on stderr written to {@code err}. */
  public static int run(java.io.Writer err, String... args) {
    return Main.commandLine().setErr(new java.io.PrintWriter(err, true)).execute(args);
  }
}
