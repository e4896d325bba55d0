package io.breakwater.compat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a class file refers to in Kafka ({@code org/apache/kafka/...}): the classes, fields and methods of its
 * constant pool, which the JVM resolves when the code that uses them first runs. Read from the class file
 * itself (format of JVMS chapter 4), so that a reference is seen whether or not a test runs the code.
 */
final class KafkaReferences {

    /** A reference: {@code member} is null for a class, else a field or method name with its descriptor. */
    record Reference(String owner, String member, String descriptor, boolean field) {
        @Override
        public String toString() {
            return member == null ? owner : owner + (field ? "." : "#") + member + descriptor;
        }
    }

    private KafkaReferences() {
    }

    /** The references of one class file to Kafka. */
    static Set<Reference> of(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNames = new int[count];
        int[][] members = new int[count][]; // tag, class index, name-and-type index
        int[][] nameAndTypes = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames[i] = in.readUnsignedShort();
                case 9, 10, 11 -> members[i] = new int[] {tag, in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndTypes[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // a long or double takes two entries
                }
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 17, 18 -> in.readInt();
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        Set<Reference> references = new LinkedHashSet<>();
        for (int i = 1; i < count; i++) {
            if (classNames[i] != 0) {
                String name = elementClass(utf8[classNames[i]]);
                if (name != null && name.startsWith("org/apache/kafka/")) {
                    references.add(new Reference(name, null, null, false));
                }
            }
            if (members[i] != null) {
                String owner = utf8[classNames[members[i][1]]];
                int[] nameAndType = nameAndTypes[members[i][2]];
                if (owner.startsWith("org/apache/kafka/")) {
                    references.add(new Reference(owner, utf8[nameAndType[0]], utf8[nameAndType[1]], members[i][0] == 9));
                }
            }
        }
        return references;
    }

    /** The class an entry names ({@code [Lorg/x/Y;} is {@code org/x/Y}); null for an array of primitives. */
    private static String elementClass(String name) {
        String element = name.replaceFirst("^\\[+", "");
        if (element.equals(name)) {
            return name;
        }
        return element.startsWith("L") ? element.substring(1, element.length() - 1) : null;
    }

    /** Whether {@code reference} resolves against the classes {@code loader} sees; why not, if it does not. */
    static String unresolved(Reference reference, ClassLoader loader) {
        Class<?> owner;
        try {
            owner = Class.forName(reference.owner().replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return "no class " + reference.owner();
        }
        if (reference.member() == null) {
            return null;
        }
        try {
            for (Class<?> c : hierarchy(owner)) {
                if (reference.field()) {
                    for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                        if (f.getName().equals(reference.member()) && descriptor(f.getType()).equals(reference.descriptor())) {
                            return null;
                        }
                    }
                } else if (reference.member().equals("<init>")) {
                    for (java.lang.reflect.Constructor<?> k : c.getDeclaredConstructors()) {
                        if (c == owner && descriptor(k.getParameterTypes(), void.class).equals(reference.descriptor())) {
                            return null;
                        }
                    }
                } else {
                    for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                        if (m.getName().equals(reference.member())
                                && descriptor(m.getParameterTypes(), m.getReturnType()).equals(reference.descriptor())) {
                            return null;
                        }
                    }
                }
            }
        } catch (LinkageError e) {
            return "a type of " + reference.owner() + " is missing: " + e;
        }
        return "no " + (reference.field() ? "field" : "method") + " " + reference.member() + reference.descriptor()
                + " in " + reference.owner() + " or its supertypes";
    }

    /** {@code c}, its superclasses, then every interface they implement: where the JVM looks for a member. */
    private static List<Class<?>> hierarchy(Class<?> c) {
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            classes.add(k);
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (int i = 0; i < classes.size(); i++) {
            addInterfaces(classes.get(i), interfaces);
        }
        classes.addAll(interfaces);
        if (c.isInterface()) {
            classes.add(Object.class); // an interface's references to Object's methods resolve there
        }
        return classes;
    }

    private static void addInterfaces(Class<?> c, Set<Class<?>> into) {
        for (Class<?> i : c.getInterfaces()) {
            if (into.add(i)) {
                addInterfaces(i, into);
            }
        }
    }

    private static String descriptor(Class<?>[] parameters, Class<?> returned) {
        StringBuilder d = new StringBuilder("(");
        for (Class<?> p : parameters) {
            d.append(descriptor(p));
        }
        return d.append(')').append(descriptor(returned)).toString();
    }

    private static String descriptor(Class<?> type) {
        if (type.isArray()) {
            return type.getName().replace('.', '/');
        }
        if (!type.isPrimitive()) {
            return "L" + type.getName().replace('.', '/') + ";";
        }
        return switch (type.getName()) {
            case "void" -> "V";
            case "boolean" -> "Z";
            case "byte" -> "B";
            case "char" -> "C";
            case "short" -> "S";
            case "int" -> "I";
            case "long" -> "J";
            case "float" -> "F";
            case "double" -> "D";
            default -> throw new IllegalArgumentException(type.getName());
        };
    }
}
