package io.tracestitch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time per kind of thread over a window, from the JVM's own per-thread accounting. JFR's samples
 * say where a thread was, not how long it ran: it samples at most one thread in native code per
 * interval, so native-heavy work (RocksDB's JNI calls) and idle threads parked in {@code epoll} are
 * not comparable by sample counts. This is the ground truth the profile's shares are read against.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Map<Long, Long> start = new HashMap<>();
  private final Map<String, long[]> nativeStart = osThreads();
  private final long wallStart = System.nanoTime();

  private ThreadCpu() {
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      if (cpu >= 0) {
        start.put(id, cpu);
      }
    }
  }

  static ThreadCpu start() {
    return new ThreadCpu();
  }

  /** CPU seconds per thread group since the start, plus the window's wall seconds. */
  Map<String, Object> stop() {
    double wall = (System.nanoTime() - wallStart) / 1e9;
    Map<String, Double> byGroup = new TreeMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      ThreadInfo info = THREADS.getThreadInfo(id);
      if (cpu < 0 || info == null) {
        continue;
      }
      double used = (cpu - start.getOrDefault(id, 0L)) / 1e9;
      byGroup.merge(group(info.getThreadName()), used, Double::sum);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("wallSeconds", wall);
    out.put("cpuSecondsByThread", byGroup);
    out.put("cpuSecondsByOsThreadKind", byOsKind(nativeStart, osThreads()));
    return out;
  }

  /**
   * The JVM's own threads (JIT compilers, GC) and RocksDB's background threads are not Java threads, so
   * only the kernel's per-thread accounting sees them: /proc/self/task/<tid>/stat, by thread name.
   */
  private static Map<String, Double> byOsKind(Map<String, long[]> before, Map<String, long[]> after) {
    Map<String, Double> out = new TreeMap<>();
    after.forEach((tid, now) -> {
      long[] then = before.get(tid);
      double ticks = now[0] - (then == null ? 0 : then[0]);
      out.merge(osKind(tid.substring(tid.indexOf(' ') + 1)), ticks / 100.0, Double::sum); // USER_HZ = 100
    });
    return out;
  }

  private static String osKind(String comm) {
    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
      return "JIT compiler";
    }
    if (comm.startsWith("G1 ") || comm.startsWith("GC Thread") || comm.startsWith("VM Thread")
        || comm.startsWith("VM Periodic")) {
      return "GC and VM";
    }
    if (comm.startsWith("rocksdb")) {
      return "RocksDB background";
    }
    return "Java threads";
  }

  /** tid + " " + name, to {utime + stime in clock ticks}. */
  private static Map<String, long[]> osThreads() {
    Map<String, long[]> out = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(task.getFileName() + " " + comm, new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12])});
        } catch (IOException | RuntimeException e) {
          // The thread ended while we looked: its time is simply not counted.
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  static String group(String name) {
    if (name == null) {
      return "?";
    }
    if (name.contains("StreamThread")) {
      if (name.contains("producer")) {
        return "stream thread's producer (network)";
      }
      return name.contains("consumer") ? "stream thread's consumer (network)" : "stream thread";
    }
    if (name.startsWith("kafka-producer-network-thread")) {
      return "other producer network threads";
    }
    if (name.startsWith("kafka-coordinator-heartbeat") || name.contains("consumer")) {
      return "consumer background";
    }
    if (name.contains("GC") || name.startsWith("G1") || name.contains("Gang") || name.contains("Conc")) {
      return "gc";
    }
    if (name.startsWith("JFR") || name.contains("JFR")) {
      return "jfr";
    }
    if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
      return "jit compiler";
    }
    if (name.startsWith("bench-")) {
      return "benchmark sampler";
    }
    return "other (" + name.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>").replaceAll("\\d+", "N") + ")";
  }
}
