package io.tracestitch.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Path templates ({@code /api/workflows/{id}}) to handlers, tried in the order they were added, so a
 * literal route added first wins over a parameter at the same place. Every failure leaves as JSON:
 * {@link ApiException} with its own status, a store that is not readable right now as 503, anything
 * else as 500 (and logged, since it is a bug).
 */
final class Routes {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);

  private final List<Route> routes = new ArrayList<>();

  Routes get(String template, Function<ApiRequest, ApiResponse> handler) {
    // -1 keeps a trailing empty segment, so "/ui/" is a template of its own (the request side splits the same way).
    routes.add(new Route("GET", template.substring(1).split("/", -1), handler));
    return this;
  }

  /**
   * Answers one request.
   *
   * @param segments the path's segments, already percent-decoded (so an id may contain '/')
   */
  ApiResponse handle(String method, String path, List<String> segments, Map<String, String> query) {
    boolean pathKnown = false;
    for (Route route : routes) {
      Map<String, String> params = route.match(segments);
      if (params == null) {
        continue;
      }
      pathKnown = true;
      if (route.method().equals(method)) {
        return invoke(route, new ApiRequest(method, path, params, query));
      }
    }
    return pathKnown
        ? ApiResponse.error(405, "The method " + method + " is not allowed on " + path + "; this API only reads (GET).")
        : ApiResponse.error(404, "There is no endpoint " + path + "; see docs/http-api.md for the ones there are.");
  }

  private static ApiResponse invoke(Route route, ApiRequest request) {
    try {
      return route.handler().apply(request);
    } catch (ApiException e) {
      if (e.status() >= 500) {
        log.warn("{} {} answered {}: {}", request.method(), request.path(), e.status(), e.getMessage());
      }
      return ApiResponse.error(e.status(), e.getMessage());
    } catch (InvalidStateStoreException e) {
      // Stores close and move during rebalances and restoration; the caller only has to ask again.
      return ApiResponse.error(503, "The state this request needs is not readable on this instance right now ("
          + e.getMessage() + "); try again shortly.");
    } catch (RuntimeException e) {
      log.error("{} {} failed.", request.method(), request.path(), e);
      return ApiResponse.error(500, "The request failed inside tracestitch (" + e.getClass().getSimpleName()
          + "); the log of this instance has the details.");
    }
  }

  private record Route(String method, String[] template, Function<ApiRequest, ApiResponse> handler) {
    /** The path parameters when the segments fit the template, else null. */
    Map<String, String> match(List<String> segments) {
      if (segments.size() != template.length) {
        return null;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < template.length; i++) {
        String part = template[i];
        String segment = segments.get(i);
        if (part.startsWith("{") && part.endsWith("}")) {
          if (segment.isEmpty()) {
            return null;
          }
          params.put(part.substring(1, part.length() - 1), segment);
        } else if (!part.equals(segment)) {
          return null;
        }
      }
      return params;
    }
  }
}
