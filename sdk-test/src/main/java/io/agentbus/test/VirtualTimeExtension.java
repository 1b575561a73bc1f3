package io.agentbus.test;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a fresh {@link VirtualScheduler} as a parameter: time stands still until the test
 * moves it, so heartbeats, timeouts and dead-agent detection are tested in milliseconds of real
 * time.
 *
 * <pre>{@code
 * @ExtendWith(VirtualTimeExtension.class)
 * class MonitorTest {
 *   @Test
 *   void deadAfterNinetySeconds(VirtualScheduler time) {
 *     ...
 *     time.advance(Duration.ofSeconds(89));
 *   }
 * }
 * }</pre>
 *
 * <p>Within one test, every parameter of type {@link VirtualScheduler} (in the test method, its
 * {@code @BeforeEach} and {@code @AfterEach} methods) is the same instance, starting at {@link
 * VirtualScheduler#create()}'s instant; each test gets its own. Parameters of {@code @BeforeAll}
 * methods and constructors get one per test class (or per instance). Thread-safe.
 */
public final class VirtualTimeExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(VirtualTimeExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == VirtualScheduler.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE)
        .getOrComputeIfAbsent(VirtualScheduler.class, k -> VirtualScheduler.create(),
            VirtualScheduler.class);
  }
}
