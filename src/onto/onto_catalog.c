/* onto/onto_catalog.c - the table of the ontologies omvec serves: names,
 * the backend's aliases, id prefixes, collection names and default sources
 * (the OBO PURLs, and the compressed copies bundled in data/ontologies). */
#include <string.h>

#include "onto/onto.h"

static const onto_info onto_table[] = {
    {"mondo", "disease", "MONDO:", "mondo_v2024_01", "http://purl.obolibrary.org/obo/mondo.obo",
     "mondo.obo.gz"},
    {"uberon", "tissue", "UBERON:", "uberon_v2024_01",
     "http://purl.obolibrary.org/obo/uberon.obo", "uberon.obo.gz"},
    {"cell_ontology", "cell_type", "CL:", "cell_ontology_v2024_01",
     "http://purl.obolibrary.org/obo/cl.obo", "cl.obo.gz"},
};

const onto_info *onto_all(size_t *out_n)
{
    *out_n = sizeof onto_table / sizeof onto_table[0];
    return onto_table;
}

const onto_info *onto_find(const char *name)
{
    for (size_t i = 0; i < sizeof onto_table / sizeof onto_table[0]; i++)
        if (strcmp(name, onto_table[i].name) == 0 || strcmp(name, onto_table[i].alias) == 0)
            return &onto_table[i];
    return NULL;
}

const char *onto_names_help(void)
{
    return "mondo (disease), uberon (tissue), cell_ontology (cell_type)";
}
