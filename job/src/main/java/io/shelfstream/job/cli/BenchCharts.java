package io.shelfstream.job.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * CSV files and PNG line charts (XChart) of the {@code bench e2e --sweep} series.
 */
final class BenchCharts {

    private BenchCharts() {
    }

    /** Writes a CSV file: a header line, then one line per row, fields joined by commas. */
    static void writeCsv(Path file, List<String> header, List<List<Object>> rows) throws IOException {
        StringBuilder csv = new StringBuilder(String.join(",", header)).append('\n');
        for (List<Object> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                csv.append(i == 0 ? "" : ",").append(row.get(i));
            }
            csv.append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, csv, StandardCharsets.UTF_8);
    }

    /**
     * Draws series of (x, y) points as lines with markers and saves the chart as a PNG.
     *
     * @param series   name to {x values, y values}
     * @param logX     a logarithmic x axis
     */
    static void lineChart(Path file, String title, String xTitle, String yTitle, Map<String, double[][]> series,
            boolean logX) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(480).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendVisible(series.size() > 1);
        for (Map.Entry<String, double[][]> s : series.entrySet()) {
            chart.addSeries(s.getKey(), s.getValue()[0], s.getValue()[1]).setMarker(SeriesMarkers.CIRCLE);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
