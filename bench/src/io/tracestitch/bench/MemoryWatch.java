package io.tracestitch.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Memory of the processor JVM during one run: the highest heap occupancy sampled, the highest heap
 * still live after a collection (what the run really needs), GC time, and the peak RSS of the whole
 * process. The kernel's peak-RSS counter is reset at the start of each run ({@code clear_refs}), so
 * a run's peak is its own even though runs share the JVM one after another.
 */
final class MemoryWatch {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Thread sampler;
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private final long gcMillisBefore;
  private final long gcCountBefore;
  private final long cpuBefore;
  private final boolean rssReset;
  private final long rssAtStart = procStatusBytes("VmRSS");
  private volatile boolean stopped;
  private volatile long peakHeapUsed;
  private volatile long peakLiveAfterGc;
  private volatile long cpuAtMeasureEnd = -1;
  private volatile long cpuAtWindowStart = -1;

  private MemoryWatch() {
    rssReset = resetPeakRss();
    gcMillisBefore = gcMillis();
    gcCountBefore = gcCount();
    cpuBefore = OS.getProcessCpuTime();
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        NotificationListener listener = (Notification n, Object handback) -> {
          if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
          }
          GarbageCollectionNotificationInfo info =
              GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
          long live = 0;
          for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
              live += pool.getValue().getUsed();
            }
          }
          synchronized (this) {
            peakLiveAfterGc = Math.max(peakLiveAfterGc, live);
          }
        };
        emitter.addNotificationListener(listener, null, null);
        unsubscribe.add(() -> {
          try {
            emitter.removeNotificationListener(listener);
          } catch (Exception ignored) {
            // Already gone: nothing left to stop.
          }
        });
      }
    }
    sampler = new Thread(() -> {
      while (!stopped) {
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        if (used > peakHeapUsed) {
          peakHeapUsed = used;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  static MemoryWatch start() {
    return new MemoryWatch();
  }

  /** The measured window opens now (the first record): startup's CPU time is not the run's. */
  void markWindowStart() {
    cpuAtWindowStart = OS.getProcessCpuTime();
  }

  /** The measured window ends now: CPU time is read here, memory keeps being watched until close. */
  void markMeasured() {
    cpuAtMeasureEnd = OS.getProcessCpuTime();
  }

  double cpuSecondsInWindow() {
    return cpuAtMeasureEnd < 0 || cpuAtWindowStart < 0 ? -1 : (cpuAtMeasureEnd - cpuAtWindowStart) / 1e9;
  }

  Map<String, Object> stop() {
    stopped = true;
    sampler.interrupt();
    unsubscribe.forEach(Runnable::run);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("peakHeapUsedBytes", peakHeapUsed);
    out.put("peakLiveHeapAfterGcBytes", peakLiveAfterGc);
    out.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    out.put("gcSeconds", (gcMillis() - gcMillisBefore) / 1000.0);
    out.put("gcCount", gcCount() - gcCountBefore);
    out.put("peakRssBytes", rssReset ? procStatusBytes("VmHWM") : -1);
    // Runs share the JVM one after another: what earlier runs left resident is the baseline of this one.
    out.put("rssAtStartBytes", rssAtStart);
    out.put("rssAtEndBytes", procStatusBytes("VmRSS"));
    out.put("processCpuSeconds", (OS.getProcessCpuTime() - cpuBefore) / 1e9);
    return out;
  }

  /** Linux keeps the process's peak RSS in VmHWM; writing 5 to clear_refs resets it (Linux 4.0+). */
  private static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static double processCpuSeconds() {
    return OS.getProcessCpuTime() / 1e9;
  }

  static long procStatusBytes(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .filter(t -> t >= 0).sum();
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .filter(t -> t >= 0).sum();
  }
}
