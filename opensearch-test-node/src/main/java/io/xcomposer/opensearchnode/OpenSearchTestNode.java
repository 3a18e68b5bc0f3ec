package io.xcomposer.opensearchnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node on loopback with the k-NN plugin, for tests: {@code java -cp lib/* ... OpenSearchTestNode
 * HOME}. Plugins are loaded from the classpath (as OpenSearch's own test framework does), so no distribution or
 * plugin installation is needed. Prints {@code HTTP host:port} once the node serves, then runs until stdin closes
 * (the parent test ending or dying), and closes the node.
 */
public final class OpenSearchTestNode extends Node {

    /** Unpacked from the plugin's zip into the node's lib folder, so known by name only at compile time. */
    private static final String KNN_PLUGIN = "org.opensearch.knn.plugin.KNNPlugin";

    private OpenSearchTestNode(Environment environment, List<Class<? extends Plugin>> plugins) {
        super(environment, plugins, true);
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        Files.createDirectories(home.resolve("config"));
        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("cluster.name", "xcomposer-test")
                .put("node.name", "node-0")
                .put("network.host", "127.0.0.1")
                .put("http.port", "0")
                .put("transport.port", "0")
                .put("discovery.type", "single-node")
                .put("http.type", "netty4")
                .put("transport.type", "netty4")
                // A shared build machine's disk is often fuller than the default watermarks allow.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();
        List<Class<? extends Plugin>> plugins = List.of(
                Netty4Plugin.class, PainlessPlugin.class, Class.forName(KNN_PLUGIN).asSubclass(Plugin.class));
        Node node = new OpenSearchTestNode(new Environment(settings, home.resolve("config")), plugins);
        node.start();
        HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
        System.out.println("HTTP " + http.boundAddress().publishAddress());
        System.out.flush();
        while (System.in.read() != -1) {
            // Runs until the parent closes stdin.
        }
        node.close();
    }
}
