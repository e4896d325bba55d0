package io.breakwater.state.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Just enough of a Redis server for a unit test: it reads RESP commands, records them, and answers each
 * with the raw RESP reply {@code replies} gives (say {@code "+OK\r\n"}, {@code "$-1\r\n"} for nil, or
 * {@code "-ERR ...\r\n"}).
 */
final class FakeRedis implements AutoCloseable {

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Function<List<String>, String> replies;
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();
    private final List<Socket> clients = new CopyOnWriteArrayList<>();

    FakeRedis(Function<List<String>, String> replies) throws IOException {
        this.replies = replies;
        daemon("fake-redis-accept", this::accept).start();
    }

    /** The usual answers: nil to GET, OK to anything else. */
    static String usual(List<String> command) {
        return command.get(0).equalsIgnoreCase("GET") ? "$-1\r\n" : "+OK\r\n";
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every command received so far, each as its words. */
    List<List<String>> commands() {
        return commands;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket client : clients) {
            client.close();
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                clients.add(client);
                daemon("fake-redis-client", () -> serve(client)).start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; InputStream in = new BufferedInputStream(client.getInputStream());
             OutputStream out = client.getOutputStream()) {
            for (List<String> command = read(in); command != null; command = read(in)) {
                commands.add(command);
                out.write(replies.apply(command).getBytes(UTF_8));
                out.flush();
            }
        } catch (IOException gone) {
            // The client or the test closed the connection.
        }
    }

    // A command is an array of bulk strings: *<count>\r\n, then $<length>\r\n<bytes>\r\n for each word.
    private static List<String> read(InputStream in) throws IOException {
        String header = line(in);
        if (header == null) {
            return null;
        }
        int count = Integer.parseInt(header.substring(1));
        List<String> words = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = Integer.parseInt(line(in).substring(1));
            words.add(new String(in.readNBytes(length), UTF_8));
            in.readNBytes(2);
        }
        return words;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return null;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(UTF_8);
    }
}
