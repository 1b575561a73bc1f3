package io.agentbus.spi;

import io.agentbus.ConfigurationException;
import io.agentbus.security.JdkEd25519;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Finds the {@link TransportProvider}s, {@link CodecProvider}s, {@link BusExtensionProvider}s and
 * {@link Ed25519Provider}s on the classpath ({@link ServiceLoader}). A name that finds nothing fails with a message listing
 * what was found and which module to add.
 */
public final class Providers {
  /** The modules of AgentBus's own providers, to tell a user what to add. */
  private static final Map<String, String> MODULES = Map.of(
      "nats", "io.agentbus:sdk-transport-nats",
      "inmemory", "io.agentbus:sdk-transport-inmemory",
      "json", "io.agentbus:sdk-codec-json",
      "protobuf", "io.agentbus:sdk-codec-protobuf",
      "otel", "io.agentbus:sdk-opentelemetry",
      "micrometer", "io.agentbus:sdk-micrometer",
      "jnats", "io.agentbus:sdk-transport-nats");

  private Providers() {}

  /**
   * The transport provider named {@code name} (case-insensitive).
   *
   * @throws ConfigurationException if none is on the classpath, naming those that are and the
   *     module that provides {@code name}
   */
  public static TransportProvider transport(String name) {
    return find("transport", "transport", name, transports(), TransportProvider::name);
  }

  /**
   * The codec provider named {@code name} (case-insensitive).
   *
   * @throws ConfigurationException if none is on the classpath, as {@link #transport}
   */
  public static CodecProvider codec(String name) {
    return find("codec", "codec", name, codecs(), CodecProvider::name);
  }

  /**
   * The bus extension provider of {@code kind} named {@code name} (both case-insensitive), such as
   * kind {@code tracing}, name {@code otel}.
   *
   * @throws ConfigurationException if none is on the classpath, as {@link #transport}
   */
  public static BusExtensionProvider extension(String kind, String name) {
    return find(kind, kind + " extension", name, extensions(kind), BusExtensionProvider::name);
  }

  /** Every bus extension provider of {@code kind} on the classpath, by name. */
  public static Map<String, BusExtensionProvider> extensions(String kind) {
    Map<String, BusExtensionProvider> all = load(BusExtensionProvider.class,
        p -> p.kind() + "/" + p.name());
    Map<String, BusExtensionProvider> ofKind = new TreeMap<>();
    all.values().stream().filter(p -> p.kind().equalsIgnoreCase(kind))
        .forEach(p -> ofKind.putIfAbsent(p.name().toLowerCase(Locale.ROOT), p));
    return ofKind;
  }

  /**
   * The Ed25519 implementation signed messages use: of those on the classpath, the one of highest
   * {@linkplain Ed25519Provider#priority priority} (jnats' when sdk-transport-nats is there), else
   * the JDK's. Looked up on each call: resolve it once, when a bus is built.
   */
  public static Ed25519Provider ed25519() {
    return load(Ed25519Provider.class, Ed25519Provider::name).values().stream()
        .max(Comparator.comparingInt(Ed25519Provider::priority))
        .orElseGet(() -> JdkEd25519.INSTANCE);
  }

  /**
   * The Ed25519 implementation named {@code name} (case-insensitive), such as {@code jdk} or
   * {@code jnats}.
   *
   * @throws ConfigurationException if none is on the classpath, as {@link #transport}
   */
  public static Ed25519Provider ed25519(String name) {
    return find("security.ed25519", "Ed25519 implementation", name,
        load(Ed25519Provider.class, Ed25519Provider::name), Ed25519Provider::name);
  }

  /** Every transport provider on the classpath of this class's loader, by name. */
  public static Map<String, TransportProvider> transports() {
    return load(TransportProvider.class, TransportProvider::name);
  }

  /** Every codec provider on the classpath of this class's loader, by name. */
  public static Map<String, CodecProvider> codecs() {
    return load(CodecProvider.class, CodecProvider::name);
  }

  private static <T> Map<String, T> load(Class<T> type, Function<T, String> name) {
    Map<String, T> found = new TreeMap<>();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<ClassLoader> loaders = new ArrayList<>();
    if (loader != null) {
      loaders.add(loader);
    }
    loaders.add(Providers.class.getClassLoader());
    for (ClassLoader l : loaders) {
      try {
        for (T p : ServiceLoader.load(type, l)) {
          found.putIfAbsent(name.apply(p).toLowerCase(Locale.ROOT), p);
        }
      } catch (ServiceConfigurationError e) {
        throw new ConfigurationException("A " + type.getSimpleName() + " on the classpath could "
            + "not be loaded: " + e.getMessage());
      }
    }
    return found;
  }

  /**
   * @param key the setting that selects it, after {@code agentbus.}
   * @param what what the setting selects, as the error names it
   */
  private static <T> T find(String key, String what, String name, Map<String, T> found,
      Function<T, String> nameOf) {
    T p = found.get(name.trim().toLowerCase(Locale.ROOT));
    if (p != null) {
      return p;
    }
    String module = MODULES.get(name.trim().toLowerCase(Locale.ROOT));
    throw new ConfigurationException("agentbus." + key + "=" + name + " selects a " + what
        + " that is not on the classpath; found " + (found.isEmpty() ? "none" : found.keySet())
        + (module == null ? ". Add the module that provides it"
            : ". Add the dependency " + module + " (the same version as sdk-core)")
        + ", or choose one of those found.");
  }
}
