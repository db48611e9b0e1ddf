package dev.fl4j.privacy;

/**
 * Standard lists of Rényi orders at which an {@link RdpAccountant} tracks privacy loss. The final
 * ε is the minimum over the tracked orders, so a denser list gives a (slightly) smaller ε; the
 * optimum for typical DP-SGD and DP-FedAvg settings lies between 1.1 and 64.
 *
 * <p>Each call returns a fresh array the caller may modify.
 */
public final class RdpOrders {

    private RdpOrders() {}

    /**
     * The default of dp_accounting's RDP accountant (used by current tensorflow_privacy):
     * {@code 1.1, 1.2, …, 10.9} (step 0.1), {@code 11, 12, …, 63}, {@code 128, 256, 512, 1024}.
     */
    public static double[] dpAccountingDefault() {
        double[] orders = new double[99 + 53 + 4];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            orders[k++] = 1 + x / 10.0;
        }
        for (int a = 11; a < 64; a++) {
            orders[k++] = a;
        }
        orders[k++] = 128;
        orders[k++] = 256;
        orders[k++] = 512;
        orders[k] = 1024;
        return orders;
    }

    /**
     * The list of tensorflow_privacy's {@code compute_dp_sgd_privacy}:
     * {@code 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5}, {@code 5, 6, …, 63},
     * {@code 128, 256, 512}.
     */
    public static double[] dpSgdCalculator() {
        double[] head = {1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5};
        double[] orders = new double[head.length + 59 + 3];
        System.arraycopy(head, 0, orders, 0, head.length);
        int k = head.length;
        for (int a = 5; a < 64; a++) {
            orders[k++] = a;
        }
        orders[k++] = 128;
        orders[k++] = 256;
        orders[k] = 512;
        return orders;
    }
}
