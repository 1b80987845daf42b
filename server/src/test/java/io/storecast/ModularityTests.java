package io.storecast;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/** No module reaches into another's internals, and there are no cycles; writes the module documentation. */
class ModularityTests {

	static final ApplicationModules MODULES = ApplicationModules.of(StorecastApplication.class);

	@Test
	void modules_respect_each_others_boundaries() {
		MODULES.verify();
	}

	@Test
	void writes_the_module_documentation() {
		new Documenter(MODULES).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml().writeModuleCanvases();
	}
}
