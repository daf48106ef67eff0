//! tfplugin5 and tfplugin6 services: wire types to and from the model.
