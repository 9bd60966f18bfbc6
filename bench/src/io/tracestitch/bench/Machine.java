package io.tracestitch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The machine the numbers come from and how busy it was meanwhile: the cores are shared with other
 * people's builds, so the load average is sampled through the run and the CPU time the rest of the
 * machine used is worked out from {@code /proc/stat} minus the harness's and processor's own.
 */
final class Machine {
  private static final long SAMPLE_MS = 5_000;

  private final List<double[]> loadSamples = new CopyOnWriteArrayList<>();
  private final long[] cpuAtStart = cpuJiffies();
  private final long wallStart = System.nanoTime();
  private final Thread sampler;
  private volatile boolean stopped;

  Machine() {
    sampler = new Thread(() -> {
      while (!stopped) {
        double[] load = loadAverage();
        if (load != null) {
          loadSamples.add(new double[] {(System.nanoTime() - wallStart) / 1e9, load[0]});
        }
        try {
          Thread.sleep(SAMPLE_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-load-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Static facts: CPU, memory, kernel, JVM. */
  static ObjectNode describe(ObjectMapper json) {
    ObjectNode m = json.createObjectNode();
    m.put("cpuModel", firstValue("/proc/cpuinfo", "model name"));
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memTotalBytes", meminfoBytes("MemTotal"));
    m.put("memAvailableAtStartBytes", meminfoBytes("MemAvailable"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    double[] load = loadAverage();
    if (load != null) {
      m.put("loadAverageAtStart", load[0]);
    }
    return m;
  }

  /**
   * @param ownCpuSeconds CPU used meanwhile by the harness JVM (broker, load generator) and processor JVMs
   */
  ObjectNode finish(ObjectMapper json, double ownCpuSeconds) {
    stopped = true;
    sampler.interrupt();
    long[] end = cpuJiffies();
    double wall = (System.nanoTime() - wallStart) / 1e9;
    ObjectNode l = json.createObjectNode();
    l.put("wallSeconds", wall);
    ArrayNode samples = l.putArray("loadAverage1m");
    double sum = 0;
    double max = 0;
    for (double[] s : loadSamples) {
      samples.addArray().add(Math.round(s[0])).add(s[1]);
      sum += s[1];
      max = Math.max(max, s[1]);
    }
    l.put("loadAverage1mMean", loadSamples.isEmpty() ? null : sum / loadSamples.size());
    l.put("loadAverage1mMax", max);
    double[] atEnd = loadAverage();
    if (atEnd != null) {
      l.put("loadAverageAtEnd", atEnd[0]);
    }
    if (cpuAtStart != null && end != null) {
      double hz = 100.0; // USER_HZ is 100 on every Linux this runs on
      double busy = (end[0] - cpuAtStart[0]) / hz;
      double total = (end[1] - cpuAtStart[1]) / hz;
      l.put("machineBusyCpuSeconds", busy);
      l.put("machineCpuUtilisation", total == 0 ? null : busy / total);
      l.put("benchmarkCpuSeconds", ownCpuSeconds);
      l.put("otherProcessesCpuSeconds", Math.max(0, busy - ownCpuSeconds));
      l.put("otherProcessesCoresMean", Math.max(0, busy - ownCpuSeconds) / wall);
    }
    return l;
  }

  static double ownCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
  }

  /** utime+stime of another process, from /proc/pid/stat (clock ticks, USER_HZ = 100). */
  static double cpuSecondsOf(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static double[] loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** {busy, total} jiffies of all CPUs together. */
  private static long[] cpuJiffies() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long total = 0;
          for (int i = 1; i < f.length && i <= 8; i++) {
            total += Long.parseLong(f[i]);
          }
          long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
          return new long[] {total - idle, total};
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  private static String firstValue(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static long meminfoBytes(String key) {
    String v = firstValue("/proc/meminfo", key);
    return v == null ? -1 : Long.parseLong(v.replaceAll("[^0-9]", "")) * 1024;
  }
}
