/* projection — principal components of embedding vectors (see projection.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jvutil.h"
#include "msg.h"
#include "projection.h"

jv projection_2d(const float *const *vecs, const char *const *labels, size_t n, int dim)
{
	size_t m = n < PROJECTION_POINTS ? n : PROJECTION_POINTS;
	if (m < 3)
		return jv_array();
	int d = dim;
	double *mean = xcalloc((size_t)d, sizeof *mean);
	for (size_t i = 0; i < m; i++)
		for (int k = 0; k < d; k++)
			mean[k] += vecs[i][k] / (double)m;
	double *pc[2] = { xcalloc((size_t)d, sizeof(double)), xcalloc((size_t)d, sizeof(double)) };
	double *next = xcalloc((size_t)d, sizeof *next);
	for (int comp = 0; comp < 2; comp++) {
		double *v = pc[comp];
		for (int k = 0; k < d; k++)
			v[k] = 1.0 / sqrt((double)d) * ((k * 7 + comp) % 3 == 0 ? 1 : -0.5);
		for (int iter = 0; iter < 60; iter++) {
			memset(next, 0, (size_t)d * sizeof *next);
			for (size_t i = 0; i < m; i++) {
				double p = 0;
				for (int k = 0; k < d; k++)
					p += (vecs[i][k] - mean[k]) * v[k];
				for (int k = 0; k < d; k++)
					next[k] += p * (vecs[i][k] - mean[k]);
			}
			if (comp == 1) { /* deflate: stay orthogonal to the first component */
				double p = 0;
				for (int k = 0; k < d; k++)
					p += next[k] * pc[0][k];
				for (int k = 0; k < d; k++)
					next[k] -= p * pc[0][k];
			}
			double norm = 0;
			for (int k = 0; k < d; k++)
				norm += next[k] * next[k];
			norm = sqrt(norm);
			if (norm == 0)
				break;
			for (int k = 0; k < d; k++)
				v[k] = next[k] / norm;
		}
	}
	jv points = jv_array();
	for (size_t i = 0; i < m; i++) {
		double xy[2] = { 0, 0 };
		for (int comp = 0; comp < 2; comp++)
			for (int k = 0; k < d; k++)
				xy[comp] += (vecs[i][k] - mean[k]) * pc[comp][k];
		jv pt = jv_object();
		pt = jv_object_set(pt, jv_string("x"), jvu_figure(xy[0]));
		pt = jv_object_set(pt, jv_string("y"), jvu_figure(xy[1]));
		pt = jv_object_set(pt, jv_string("persona"), labels[i] ? jv_string(labels[i]) : jv_null());
		points = jv_array_append(points, pt);
	}
	free(mean);
	free(pc[0]);
	free(pc[1]);
	free(next);
	return points;
}
