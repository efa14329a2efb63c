package org.pohmelfs.gateway.security.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.pohmelfs.gateway.security.Passwords;
import org.pohmelfs.gateway.security.Tokens;
import org.pohmelfs.gateway.security.UsersFile;
import org.pohmelfs.protocol.ObjectPath;

/**
 * The users file's command line (docs/security.md), run as {@code bin/pohmelfs user|token ...}:
 *
 * <pre>
 * user add NAME [--read-only] [--admin] [--root /p] [--password-stdin]   a new user (asks the password twice)
 * user passwd NAME [--password-stdin]                                  a new password
 * user set NAME [--read-only|--writer] [--admin|--no-admin] [--root /p] [--disable|--enable]
 * user remove NAME                                                     the user and its tokens
 * user list
 * user hash [--password-stdin]                                         an Argon2id hash for configuration
 * token create --user NAME [--ttl 30d|12h|never] [--name LABEL]        prints the token once
 * token list [--user NAME]
 * token revoke ID
 * every command but hash: --file F (or POHMELFS_USERS_FILE)
 * </pre>
 *
 * Exit status: 0 done; 1 refused (no such user, a broken file, passwords that differ); 2 a
 * usage error. Gateways that read the file pick a change up within their reload interval.
 */
public final class UserTool {
    /** Reads a password without echo (the console) or one line of standard input. */
    public interface PasswordSource {
        String read(String prompt) throws IOException;
    }

    private final PrintStream out;
    private final Clock clock;
    private final SecureRandom random;
    private final PasswordSource console;
    private final BufferedReader stdin;
    private final Map<String, String> env;

    UserTool(Map<String, String> env, InputStream in, PasswordSource console, PrintStream out, Clock clock,
             SecureRandom random) {
        this.env = env;
        this.stdin = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.console = console;
        this.out = out;
        this.clock = clock;
        this.random = random;
    }

    public static void main(String[] args) {
        java.io.Console c = System.console();
        PasswordSource console = c == null ? null : prompt -> {
            char[] p = c.readPassword("%s", prompt);
            return p == null ? null : new String(p);
        };
        System.exit(run(args, System.getenv(), System.in, console, System.out, System.err,
                Clock.systemUTC(), new SecureRandom()));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, InputStream in, PasswordSource console,
                          PrintStream out, PrintStream err, Clock clock, SecureRandom random) {
        try {
            new UserTool(env, in, console, out, clock, random).execute(new ArrayList<>(Arrays.asList(args)));
            return 0;
        } catch (UsageError e) {
            err.println("pohmelfs: " + e.getMessage());
            err.println("usage: pohmelfs user add|passwd|set|remove|list|hash ... | token create|list|revoke ... "
                    + "--file F (see bin/pohmelfs --help)");
            return 2;
        } catch (Refused e) {
            err.println("pohmelfs: " + e.getMessage());
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            err.println("pohmelfs: " + e.getMessage());
            return 1;
        }
    }

    private void execute(List<String> args) throws IOException {
        if (args.size() < 2) {
            throw new UsageError("a command is needed");
        }
        String group = args.remove(0);
        String command = args.remove(0);
        switch (group + " " + command) {
            case "user add" -> userAdd(args);
            case "user passwd" -> userPasswd(args);
            case "user set" -> userSet(args);
            case "user remove" -> userRemove(args);
            case "user list" -> userList(args);
            case "user hash" -> out.println(Passwords.hash(password(flag(args, "--password-stdin"))));
            case "token create" -> tokenCreate(args);
            case "token list" -> tokenList(args);
            case "token revoke" -> tokenRevoke(args);
            default -> throw new UsageError("unknown command '" + group + " " + command + "'");
        }
    }

    private void userAdd(List<String> args) throws IOException {
        Path file = file(args);
        boolean readOnly = flag(args, "--read-only");
        boolean admin = flag(args, "--admin");
        String root = root(option(args, "--root"));
        boolean stdinPassword = flag(args, "--password-stdin");
        String name = name(args);
        if (UsersFile.read(file).user(name).isPresent()) {
            throw new Refused("user '" + name + "' exists (user passwd or user set change it)");
        }
        String hash = Passwords.hash(password(stdinPassword));
        UsersFile.update(file, f -> f.withUser(new UsersFile.User(name, hash, readOnly, admin, root, false)));
        out.println("added user " + name);
    }

    private void userPasswd(List<String> args) throws IOException {
        Path file = file(args);
        boolean stdinPassword = flag(args, "--password-stdin");
        String name = name(args);
        UsersFile.User user = existing(file, name);
        String hash = Passwords.hash(password(stdinPassword));
        UsersFile.update(file, f -> f.withUser(new UsersFile.User(name, hash, user.readOnly(), user.admin(),
                user.root(), user.disabled())));
        out.println("changed the password of " + name);
    }

    private void userSet(List<String> args) throws IOException {
        Path file = file(args);
        Boolean readOnly = flag(args, "--read-only") ? Boolean.TRUE : flag(args, "--writer") ? Boolean.FALSE : null;
        Boolean admin = flag(args, "--admin") ? Boolean.TRUE : flag(args, "--no-admin") ? Boolean.FALSE : null;
        Boolean disabled = flag(args, "--disable") ? Boolean.TRUE : flag(args, "--enable") ? Boolean.FALSE : null;
        String root = option(args, "--root");
        String name = name(args);
        UsersFile.User u = existing(file, name);
        UsersFile.User changed = new UsersFile.User(name, u.password(), readOnly == null ? u.readOnly() : readOnly,
                admin == null ? u.admin() : admin, root == null ? u.root() : root(root),
                disabled == null ? u.disabled() : disabled);
        UsersFile.update(file, f -> f.withUser(changed));
        out.println(describe(changed));
    }

    private void userRemove(List<String> args) throws IOException {
        Path file = file(args);
        String name = name(args);
        existing(file, name);
        UsersFile.update(file, f -> f.withoutUser(name));
        out.println("removed user " + name + " and its tokens");
    }

    private void userList(List<String> args) throws IOException {
        Path file = file(args);
        noMore(args);
        for (UsersFile.User u : UsersFile.read(file).users()) {
            out.println(describe(u));
        }
    }

    private static String describe(UsersFile.User u) {
        return u.name() + (u.readOnly() ? " read-only" : " writer") + (u.admin() ? " admin" : "")
                + " root=" + u.root() + (u.disabled() ? " disabled" : "");
    }

    private void tokenCreate(List<String> args) throws IOException {
        Path file = file(args);
        String user = option(args, "--user");
        String label = option(args, "--name");
        String ttl = option(args, "--ttl");
        noMore(args);
        if (user == null) {
            throw new UsageError("token create needs --user NAME");
        }
        existing(file, user);
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Duration life = ttl(ttl == null ? "30d" : ttl);
        Tokens.Issued issued = Tokens.issue(random);
        UsersFile.update(file, f -> f.withToken(new UsersFile.Token(issued.id(), user, label, issued.sha256(),
                now, life == null ? null : now.plus(life), false)));
        out.println(issued.token());
    }

    private void tokenList(List<String> args) throws IOException {
        Path file = file(args);
        String user = option(args, "--user");
        noMore(args);
        Instant now = clock.instant();
        for (UsersFile.Token t : UsersFile.read(file).tokens()) {
            if (user != null && !user.equals(t.user())) {
                continue;
            }
            String state = t.revoked() ? "revoked" : t.expires() != null && !now.isBefore(t.expires()) ? "expired" : "valid";
            out.println(t.id() + " user=" + t.user() + " name=" + (t.name() == null ? "-" : t.name())
                    + " created=" + t.created() + " expires=" + (t.expires() == null ? "never" : t.expires()) + " " + state);
        }
    }

    private void tokenRevoke(List<String> args) throws IOException {
        Path file = file(args);
        String id = name(args);
        UsersFile.Token t = UsersFile.read(file).tokens().stream().filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(() -> new Refused("no token " + id));
        UsersFile.update(file, f -> f.withToken(new UsersFile.Token(t.id(), t.user(), t.name(), t.sha256(),
                t.created(), t.expires(), true)));
        out.println("revoked token " + id + " of " + t.user());
    }

    /** {@code 30d}, {@code 12h}, {@code 15m}, {@code 90s}, an ISO-8601 duration, or {@code never} (null). */
    static Duration ttl(String text) {
        if (text.equals("never")) {
            return null;
        }
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return positive(Duration.parse(text), text);
            }
            long n = Long.parseLong(text.substring(0, text.length() - 1));
            return positive(switch (text.charAt(text.length() - 1)) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new UsageError("bad --ttl " + text + " (e.g. 30d, 12h, never)");
            }, text);
        } catch (NumberFormatException | java.time.format.DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new UsageError("bad --ttl " + text + " (e.g. 30d, 12h, never)");
        }
    }

    private static Duration positive(Duration d, String text) {
        if (d.isNegative() || d.isZero()) {
            throw new UsageError("bad --ttl " + text + ": it must be positive");
        }
        return d;
    }

    private String password(boolean fromStdin) throws IOException {
        String password;
        if (fromStdin) {
            password = stdin.readLine();
        } else {
            if (console == null) {
                throw new UsageError("no terminal to ask the password on: use --password-stdin");
            }
            password = console.read("Password: ");
            String again = console.read("Password again: ");
            if (password == null || !password.equals(again)) {
                throw new Refused("the passwords differ");
            }
        }
        if (password == null || password.isEmpty()) {
            throw new Refused("an empty password is refused");
        }
        return password;
    }

    private UsersFile.User existing(Path file, String name) throws IOException {
        return UsersFile.read(file).user(name).orElseThrow(() -> new Refused("no user '" + name + "' in " + file));
    }

    private Path file(List<String> args) {
        String f = option(args, "--file");
        if (f == null) {
            f = env.get("POHMELFS_USERS_FILE");
        }
        if (f == null) {
            throw new UsageError("--file F (or POHMELFS_USERS_FILE) names the users file");
        }
        return Path.of(f);
    }

    private static String root(String root) {
        if (root == null) {
            return "/";
        }
        try {
            ObjectPath.parse(root);
        } catch (IllegalArgumentException e) {
            throw new UsageError("bad --root " + root + ": " + e.getMessage());
        }
        return root;
    }

    private static boolean flag(List<String> args, String flag) {
        return args.remove(flag);
    }

    private static String option(List<String> args, String option) {
        int i = args.indexOf(option);
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.size()) {
            throw new UsageError(option + " needs a value");
        }
        args.remove(i);
        return args.remove(i);
    }

    /** The one positional argument left. */
    private static String name(List<String> args) {
        if (args.size() != 1 || args.get(0).startsWith("--")) {
            throw new UsageError(args.isEmpty() ? "a name is needed" : "unexpected " + args);
        }
        return args.get(0);
    }

    private static void noMore(List<String> args) {
        if (!args.isEmpty()) {
            throw new UsageError("unexpected " + args);
        }
    }

    private static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }
}
