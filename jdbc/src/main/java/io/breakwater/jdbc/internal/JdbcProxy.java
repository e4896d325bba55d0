package io.breakwater.jdbc.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Wrapper;

/**
 * The part every guarded JDBC object shares: a {@link Proxy} of one JDBC interface in front of the driver's (or
 * the pool's) object. Methods of {@code Object} answer for the proxy itself (equality is identity, as for the
 * drivers' own objects); {@code unwrap} and {@code isWrapperFor} answer for the proxy when it implements the
 * interface asked for, and ask the delegate otherwise, so {@code unwrap(PGConnection.class)} still reaches the
 * driver. Every other method goes to the delegate, with what it throws rethrown unchanged.
 */
abstract class JdbcProxy implements InvocationHandler {

    final Object delegate;
    final DatabaseGuard guard;

    JdbcProxy(Object delegate, DatabaseGuard guard) {
        this.delegate = delegate;
        this.guard = guard;
    }

    @SuppressWarnings("unchecked")
    static <T> T create(Class<T> type, JdbcProxy handler) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    @Override
    public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    return delegate.toString();
            }
        }
        if (method.getDeclaringClass() == Wrapper.class) {
            Class<?> type = (Class<?>) args[0];
            boolean self = type != null && type.isInstance(proxy);
            if (method.getName().equals("unwrap")) {
                return self ? proxy : call(method, args);
            }
            return self || (Boolean) call(method, args);
        }
        return handle(proxy, method, args);
    }

    /** Everything but the methods of {@code Object} and {@code Wrapper}. */
    abstract Object handle(Object proxy, Method method, Object[] args) throws Throwable;

    /** {@code method} on the delegate, throwing what it throws. */
    final Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
